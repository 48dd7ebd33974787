import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { isApiPath } from './security-headers.ts';

interface Req {
  method: string;
  path: string;
}
interface Res {
  setHeader(name: string, value: string): unknown;
  sendFile(path: string): void;
}

// Vite names every file under assets/ by its content hash: a new build has new names, so these may be kept forever.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built web UI at `/` (ADR 0019): its files, and `index.html` for any other GET of a page path (the SPA's
 * router resolves it). Never for `/api`, `/health`, `/ready` or `/metrics`, whose unknown paths keep their own 404s. Nothing is
 * installed when the UI is not built (`/` then answers 404 like any unknown path).
 */
export function serveWebUi(app: NestExpressApplication, dir: string): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  app.useStaticAssets(dir, {
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    setHeaders: (res: Res, path: string) => {
      if (path.startsWith(join(dir, 'assets'))) res.setHeader('Cache-Control', IMMUTABLE);
    },
  });
  app.use((req: Req, res: Res, next: () => void) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path) || /\.[a-z0-9]+$/i.test(req.path)) {
      next();
      return;
    }
    res.sendFile(index);
  });
  return true;
}
