// Used by the Prisma CLI (`prisma generate`, and `prisma migrate deploy` where the native engine exists).
// The product itself never reads this file: services migrate through @su/db with the WASM schema engine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://localhost:5432/system_update' },
});
