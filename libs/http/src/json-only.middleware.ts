import { UnsupportedMediaTypeException } from '@nestjs/common';

interface Req {
  headers: Record<string, string | string[] | undefined>;
}

const hasBody = (req: Req) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** `application/json` or `application/*+json`, in UTF-8 (the body parser's depth pre-scan reads UTF-8 bytes). */
function isUtf8Json(contentType: string): boolean {
  const [type = '', ...params] = contentType.toLowerCase().split(';');
  const json = /^application\/([a-z0-9.+-]+\+)?json$/.test(type.trim());
  const charset = params.map((p) => p.trim()).find((p) => p.startsWith('charset='));
  return json && (charset === undefined || /^charset="?utf-8"?$/.test(charset));
}

/**
 * Request bodies are UTF-8 JSON or nothing: another content type is a 415 before any parser runs, instead of a body
 * silently read as empty (or as nested form fields).
 */
export function jsonOnly(req: Req, _res: unknown, next: (err?: unknown) => void): void {
  const type = req.headers['content-type'];
  if (hasBody(req) && !(typeof type === 'string' && isUtf8Json(type)))
    return next(
      new UnsupportedMediaTypeException('a request body must be JSON (Content-Type: application/json) in UTF-8'),
    );
  next();
}
