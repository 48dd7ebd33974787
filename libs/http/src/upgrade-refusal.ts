import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemOf, PROBLEM_CONTENT_TYPE } from './problem-details.ts';

/**
 * Refuses an HTTP upgrade (a WebSocket handshake, which never reaches Express) with the problem details any other
 * route would answer for the same exception, then closes the connection.
 */
export function refuseUpgrade(socket: Duplex, e: unknown): void {
  if (!socket.writable) return void socket.destroy();
  const details = problemOf(e);
  const body = JSON.stringify(details);
  socket.end(
    [
      `HTTP/1.1 ${details.status} ${STATUS_CODES[details.status] ?? ''}`,
      `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Cache-Control: no-store',
      'X-Content-Type-Options: nosniff',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
