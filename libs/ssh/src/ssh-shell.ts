import type { Client as Ssh2Client, ClientChannel } from 'ssh2';

/** The size of a terminal, in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/**
 * An interactive login shell on a PTY (the web terminal, ADR 0043): bytes both ways, a size that follows the
 * browser's window. Unlike a command (`SshSession.run`) nothing here is parsed, redacted or logged: it is the
 * person's own terminal, and what to record is the caller's decision.
 */
export interface InteractiveShell {
  write(data: Buffer | string): void;
  resize(size: TerminalSize): void;
  onData(listener: (data: Buffer) => void): void;
  /** Once, when the shell ends (exit, the connection lost, or `close()`). */
  onClose(listener: () => void): void;
  close(): void;
}

export function openShell(client: Ssh2Client, size: TerminalSize, term = 'xterm-256color'): Promise<InteractiveShell> {
  return new Promise((resolve, reject) => {
    client.shell({ term, cols: size.cols, rows: size.rows }, (err, channel) => {
      if (err) reject(err);
      else resolve(shellOf(channel));
    });
  });
}

function shellOf(channel: ClientChannel): InteractiveShell {
  let closed = false;
  const closeListeners: Array<() => void> = [];
  channel.on('close', () => {
    if (closed) return;
    closed = true;
    for (const l of closeListeners) l();
  });
  // stderr of a PTY session is merged by the remote; anything that still comes there is shown too.
  return {
    write: (data) => {
      if (!closed) channel.write(data);
    },
    resize: ({ cols, rows }) => {
      if (!closed) channel.setWindow(rows, cols, 0, 0);
    },
    onData: (listener) => {
      channel.on('data', listener);
      channel.stderr.on('data', listener);
    },
    onClose: (listener) => {
      if (closed) listener();
      else closeListeners.push(listener);
    },
    close: () => {
      if (!closed) channel.close();
    },
  };
}
