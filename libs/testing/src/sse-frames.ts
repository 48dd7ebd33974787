/** One server-sent event as the stream framed it: `field: value` lines ended by a blank line. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
}

/**
 * The frames of an SSE response body, in order, until the stream ends; an aborted request ends it with the fetch's
 * error (the caller's to catch). Comment lines (the keepalive) leave a frame without fields.
 */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  let buf = '';
  for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      yield parseFrame(buf.slice(0, end));
      buf = buf.slice(end + 2);
    }
  }
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    if (field === 'id' || field === 'event' || field === 'data') frame[field] = line.slice(colon + 1).replace(/^ /, '');
  }
  return frame;
}
