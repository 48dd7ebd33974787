// npm run db:migrate   applies prisma/migrations to DATABASE_URL (services also do this at start).
import { migrateDatabase } from '../../libs/db/src/migrations/migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (npm start migrates the embedded database by itself).');
  process.exit(2);
}
const applied = await migrateDatabase(url, { log: console.log });
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
