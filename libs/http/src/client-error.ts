import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { problem, PROBLEM_CONTENT_TYPE } from './problem-details.ts';

/** Node's own statuses for requests it cannot parse (what its default handler answers). */
function statusOf(err: NodeJS.ErrnoException): number {
  if (err.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const DETAILS: Record<number, string> = {
  400: 'the request is not valid HTTP',
  408: 'the request took too long to arrive',
  413: 'the request is too large',
  431: 'the request headers are too large',
};

/**
 * Requests Node's HTTP parser refuses (oversized headers, invalid characters, bad framing) never reach Express: Node
 * answers them itself with an empty body. This answers them as problem details too, with the headers every answer
 * has, then closes the connection (its framing cannot be trusted).
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = statusOf(err);
    const body = JSON.stringify(problem(status, DETAILS[status] ?? 'the request is not valid HTTP'));
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Cache-Control: no-store',
        'X-Content-Type-Options: nosniff',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
  });
}
