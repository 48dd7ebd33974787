import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { InteractiveShell } from '@su/ssh';
import type { EnteredLine } from './input-line-recorder.ts';
import { LiveTerminal } from './live-terminal.ts';

// The session's timers and its single end, with a small socket and shell in memory (the real ones are in
// apps/gateway/src/terminal.int-spec.ts and terminal.lab-spec.ts).

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: unknown[] = [];
  closedWith: [number, string] | null = null;
  send(data: unknown) {
    this.sent.push(data);
  }
  close(code: number, reason: string) {
    this.closedWith ??= [code, reason];
    this.readyState = 3;
  }
}

function fakeShell() {
  const data: Array<(b: Buffer) => void> = [];
  const written: string[] = [];
  const sizes: Array<{ cols: number; rows: number }> = [];
  let closed = 0;
  const shell: InteractiveShell = {
    write: (d) => void written.push(String(d)),
    resize: (s) => void sizes.push(s),
    onData: (l) => void data.push(l),
    onClose: () => undefined,
    close: () => void closed++,
  };
  return { shell, written, sizes, emit: (s: string) => data.forEach((l) => l(Buffer.from(s))), closed: () => closed };
}

describe('LiveTerminal', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function start(opts: { idle?: number; max?: number; logging?: boolean } = {}) {
    const ws = new FakeSocket();
    const sh = fakeShell();
    const ends: Array<[string, string | null]> = [];
    const lines: Array<[number, EnteredLine]> = [];
    const terminal = new LiveTerminal({
      sessionId: 's1',
      ws: ws as unknown as WebSocket,
      shell: sh.shell,
      disconnect: async () => undefined,
      recordLine: opts.logging === false ? null : async (seq, line) => void lines.push([seq, line]),
      recordEnd: async (reason, by) => void ends.push([reason, by]),
      idleTimeoutMs: opts.idle ?? 60_000,
      maxDurationMs: opts.max ?? 600_000,
      onEnded: () => undefined,
    });
    const input = (data: string) => ws.emit('message', Buffer.from(JSON.stringify({ type: 'input', data })), false);
    return { ws, sh, ends, lines, terminal, input };
  }

  it('ends after the idle timeout; input restarts the count', async () => {
    const { ws, ends, input } = start({ idle: 60_000 });
    await vi.advanceTimersByTimeAsync(50_000);
    input('l');
    await vi.advanceTimersByTimeAsync(50_000);
    expect(ends).toEqual([]);
    await vi.advanceTimersByTimeAsync(11_000);
    expect(ends).toEqual([['idle_timeout', null]]);
    expect(ws.closedWith).toEqual([4000, 'idle_timeout']);
    expect(ws.sent.at(-1)).toBe(JSON.stringify({ type: 'closed', reason: 'idle_timeout' }));
  });

  it('ends at the maximum duration whatever is typed, once', async () => {
    const { ends, input, ws } = start({ idle: 60_000, max: 120_000 });
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(30_000);
      input('x');
    }
    expect(ends).toEqual([['max_duration', null]]);
    ws.emit('close');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ends).toHaveLength(1);
  });

  it('relays output and input, resizes, logs lines in order, and refuses an unreadable message', async () => {
    const { ws, sh, lines, input, ends } = start();
    sh.emit('$ ');
    expect(ws.sent).toEqual([Buffer.from('$ ')]);
    input('ls\r');
    ws.emit('message', Buffer.from(JSON.stringify({ type: 'resize', cols: 120, rows: 40 })), false);
    expect(sh.written).toEqual(['ls\r']);
    expect(sh.sizes).toEqual([{ cols: 120, rows: 40 }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(lines).toEqual([[1, { line: 'ls', hidden: false }]]);
    ws.emit('message', Buffer.from('{"type":"resize","cols":99999,"rows":1}'), false);
    expect(ws.closedWith).toEqual([4002, 'unreadable message']);
    ws.emit('close');
    await vi.advanceTimersByTimeAsync(0);
    expect(ends).toEqual([['user_closed', null]]);
  });

  it('an administrator ends it: recorded with who', async () => {
    const { terminal, ends, sh } = start({ logging: false });
    await terminal.end('closed_by_admin', 'root-admin');
    expect(ends).toEqual([['closed_by_admin', 'root-admin']]);
    expect(sh.closed()).toBe(1);
  });
});
