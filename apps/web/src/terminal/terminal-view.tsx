import { Button, Group, Text } from '@mantine/core';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { isMessageKey } from '../i18n/translate.ts';
import { usePreferences } from '../preferences/preferences.tsx';
import type { TerminalServerMessage } from '@su/contracts';

type Status = { state: 'connecting' } | { state: 'open' } | { state: 'closed'; reason: string; detail?: string };

/** The WebSocket of a machine's terminal on this origin; the session cookie goes with it. */
function terminalUrl(machineId: string, cols: number, rows: number): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/api/v1/machines/${encodeURIComponent(machineId)}/terminal?cols=${cols}&rows=${rows}`;
}

/** An xterm.js terminal joined to the gateway's WebSocket (ADR 0043): input, output, fit to its box, close. */
export default function TerminalView({ machineId, onClosed }: { machineId: string; onClosed: () => void }) {
  const { t } = usePreferences();
  const box = useRef<HTMLDivElement>(null);
  const socket = useRef<WebSocket | null>(null);
  const [status, setStatus] = useState<Status>({ state: 'connecting' });
  const reasonText = (reason: string) => {
    const key = `terminal.reason.${reason}`;
    return isMessageKey(key) ? t(key) : reason;
  };

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const term = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false, scrollback: 2000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();
    let ws: WebSocket | null = null;
    const send = (msg: object) => {
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    };
    const onMessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      if (typeof ev.data !== 'string') return term.write(new Uint8Array(ev.data));
      const msg = JSON.parse(ev.data) as TerminalServerMessage;
      if (msg.type === 'opened') {
        setStatus({ state: 'open' });
        term.focus();
      } else if (msg.type === 'error') setStatus({ state: 'closed', reason: msg.errorKind, detail: msg.message });
      else setStatus((s) => (s.state === 'closed' ? s : { state: 'closed', reason: msg.reason }));
    };
    // Opened once the view has really stayed mounted: a view unmounted at once (a re-render that remounts it) must not
    // open, and record, a session of its own on the machine.
    const opening = setTimeout(() => {
      ws = new WebSocket(terminalUrl(machineId, term.cols, term.rows));
      ws.binaryType = 'arraybuffer';
      socket.current = ws;
      ws.onmessage = onMessage;
      ws.onclose = () => setStatus((s) => (s.state === 'closed' ? s : { state: 'closed', reason: 'connection_lost' }));
    }, 0);
    const input = term.onData((data) => send({ type: 'input', data }));
    const resized = term.onResize(({ cols, rows }) => send({ type: 'resize', cols, rows }));
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(el);
    return () => {
      observer.disconnect();
      input.dispose();
      resized.dispose();
      clearTimeout(opening);
      ws?.close();
      term.dispose();
    };
  }, [machineId]);

  return (
    <div>
      <Group justify="space-between" mb="xs">
        <Text size="sm" role="status" data-testid="terminal-status" data-state={status.state}>
          {status.state === 'closed'
            ? t('terminal.closed', { reason: reasonText(status.reason) }) + (status.detail ? ` — ${status.detail}` : '')
            : status.state === 'open'
              ? t('terminal.state.open')
              : t('terminal.state.connecting')}
        </Text>
        <Button
          variant="light"
          color="red"
          size="xs"
          onClick={() => (status.state === 'closed' ? onClosed() : socket.current?.close(1000, 'user_closed'))}
        >
          {status.state === 'closed' ? t('terminal.dismiss') : t('terminal.close')}
        </Button>
      </Group>
      <div
        ref={box}
        data-testid="terminal"
        aria-label={t('terminal.title')}
        style={{
          height: '60vh',
          minHeight: 240,
          background: '#000',
          padding: 4,
          resize: 'vertical',
          overflow: 'hidden',
        }}
      />
    </div>
  );
}
