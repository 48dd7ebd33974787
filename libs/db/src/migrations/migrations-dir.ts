import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `prisma/` of the repository (or of the container image), found by walking up from this module, so that sources,
 * bundles under dist/ and the image all find the same migrations without configuration.
 */
export function findPrismaDir(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'prisma', 'schema.prisma'))) return join(dir, 'prisma');
    const up = dirname(dir);
    if (up === dir) throw new Error(`no prisma/schema.prisma above ${from}`);
    dir = up;
  }
}

export function defaultMigrationsDir(): string {
  return join(findPrismaDir(), 'migrations');
}
