// npm run db:diff -- --name <name>   writes prisma/migrations/<UTC yyyymmddHHMMSS>_<name>/migration.sql from the
//                                     difference between the schema of the last migration and prisma/schema.prisma
// npm run db:diff -- --check          exits 1 when schema.prisma has changes that no migration captures
// Needs no database (docs/adr/0002-offline-migrations.md).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  diffSchemas,
  EMPTY_TARGET,
  LOCKFILE_CONTENT,
  LOCKFILE_NAME,
  readMigrationsList,
  schemaTarget,
  SNAPSHOT_NAME,
} from '../../libs/db/src/migrations/schema-engine.ts';

const { values } = parseArgs({ options: { name: { type: 'string' }, check: { type: 'boolean', default: false } } });
const root = new URL('../..', import.meta.url).pathname;
const migrationsDir = join(root, 'prisma/migrations');
const snapshotPath = join(migrationsDir, SNAPSHOT_NAME);

const schema = await readFile(join(root, 'prisma/schema.prisma'), 'utf8');
const last = await readFile(snapshotPath, 'utf8').catch(() => null);
const { migrationDirectories } = await readMigrationsList(migrationsDir);
if (last === null && migrationDirectories.length > 0) {
  console.error(`${relative(root, snapshotPath)} is missing but migrations exist: cannot tell what they built.`);
  process.exit(1);
}
const sql = await diffSchemas(last === null ? EMPTY_TARGET : schemaTarget(last, SNAPSHOT_NAME), schemaTarget(schema));

if (values.check) {
  if (sql) {
    console.error(
      `schema.prisma has changes that no migration captures. Run: npm run db:diff -- --name <what>\n\n${sql}`,
    );
    process.exit(1);
  }
  console.log('schema.prisma matches the last migration.');
  process.exit(0);
}
if (!values.name) {
  console.error('usage: npm run db:diff -- --name <what_changed>   (or --check)');
  process.exit(2);
}
if (!sql) {
  console.log('No changes between the last migration and schema.prisma: no migration written.');
  process.exit(0);
}
const name =
  values.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200) || 'migration';
const stamp = (d) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
let when = new Date();
// Keep the order strictly increasing even for two migrations within one second.
const newest = migrationDirectories.at(-1)?.path.slice(0, 14);
if (newest && stamp(when) <= newest) {
  const n = newest;
  when = new Date(
    Date.UTC(
      +n.slice(0, 4),
      +n.slice(4, 6) - 1,
      +n.slice(6, 8),
      +n.slice(8, 10),
      +n.slice(10, 12),
      +n.slice(12, 14) + 1,
    ),
  );
}
const dir = join(migrationsDir, `${stamp(when)}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(join(dir, 'migration.sql'), sql, 'utf8');
await writeFile(join(migrationsDir, LOCKFILE_NAME), LOCKFILE_CONTENT, 'utf8');
await writeFile(snapshotPath, schema, 'utf8');
console.log(`wrote ${relative(root, dir)}/migration.sql (${sql.split('\n').length} lines); updated ${SNAPSHOT_NAME}`);
