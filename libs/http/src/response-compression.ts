import compression from 'compression';

type Filter = NonNullable<compression.CompressionOptions['filter']>;

/** Never the event stream: a compressor buffers, and each event must leave at once. */
const worthCompressing: Filter = (req, res) => {
  if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) return false;
  return compression.filter(req, res);
};

/**
 * Brotli or gzip, as the client accepts, for every answer over 1 KB (JSON, the web UI's files, raw logs): the fleet's
 * 1,000 tiles are ~0.8 MB of repetitive JSON and cross the wire as a few percent of that (issue 19, ADR 0030). The
 * library's brotli quality (4) costs little CPU; quality 11, zlib's default, would cost tens of ms per large answer.
 */
export const responseCompression = compression({ filter: worthCompressing });
