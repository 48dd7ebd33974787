/**
 * The web terminal's WebSocket messages (ADR 0043). Browser → gateway: JSON text frames, `input` (what was typed or
 * pasted) and `resize`. Gateway → browser: the shell's output as binary frames, and JSON text frames for the
 * session's life (`opened`, `error` before the shell starts, `closed` with why).
 */
export type TerminalClientMessage = { type: 'input'; data: string } | { type: 'resize'; cols: number; rows: number };

/** Size limits: a message is one keystroke or one paste; a terminal is at most this large. */
export const TERMINAL_MAX_MESSAGE_BYTES = 64 * 1024;
export const TERMINAL_SIZE_LIMITS = { minCols: 2, maxCols: 1000, minRows: 1, maxRows: 500 } as const;

/** Close codes of the WebSocket (4000–4999 are the application's). */
export const TERMINAL_CLOSE_CODES = { ended: 4000, refused: 4001, badMessage: 4002 } as const;

function validSize(cols: unknown, rows: unknown): boolean {
  const L = TERMINAL_SIZE_LIMITS;
  return (
    Number.isInteger(cols) &&
    Number.isInteger(rows) &&
    (cols as number) >= L.minCols &&
    (cols as number) <= L.maxCols &&
    (rows as number) >= L.minRows &&
    (rows as number) <= L.maxRows
  );
}

/** Parses one client message; null for anything else (the session then closes with `badMessage`). */
export function parseClientMessage(text: string): TerminalClientMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const m = v as Record<string, unknown>;
  if (m['type'] === 'input' && typeof m['data'] === 'string') return { type: 'input', data: m['data'] };
  if (m['type'] === 'resize' && validSize(m['cols'], m['rows']))
    return { type: 'resize', cols: m['cols'] as number, rows: m['rows'] as number };
  return null;
}

/** The terminal size a handshake asks for (`?cols=&rows=`), or a default 80×24. */
export function initialSize(query: URLSearchParams): { cols: number; rows: number } {
  const cols = Number(query.get('cols'));
  const rows = Number(query.get('rows'));
  return validSize(cols, rows) ? { cols, rows } : { cols: 80, rows: 24 };
}
