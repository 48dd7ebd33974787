// Generates the Prisma client into libs/db/src/generated (not committed).
// PRISMA_SCHEMA_ENGINE_BINARY: `prisma generate` does not need the native schema engine, but without this it tries
// to download one, and that host is unreachable here (docs/adr/0002-offline-migrations.md).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const out = 'libs/db/src/generated/prisma/client.ts';
const schema = 'prisma/schema.prisma';
if (!process.argv.includes('--force') && existsSync(out) && statSync(out).mtimeMs >= statSync(schema).mtimeMs) {
  process.exit(0);
}
const res = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate', '--no-hints'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
if (res.status !== 0) process.exit(res.status ?? 1);
