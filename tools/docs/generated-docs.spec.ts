import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractIndex, contractSchemaFiles } from './contract-schemas.ts';
import { erDiagram, fillGenerated, indexList, tableList } from './database-doc.ts';
import { parsePrismaSchema } from './prisma-schema-model.ts';

/*
 * docs/database.md (ER diagram, tables, indexes) and docs/contracts/*.schema.json are generated from
 * prisma/schema.prisma and libs/contracts. This fails when a committed file differs from what they generate;
 * `npm run docs:gen` (this file with SU_TEST_UPDATE_DOCS=1) rewrites them.
 */
const root = new URL('../..', import.meta.url).pathname;
const dbDocPath = join(root, 'docs/database.md');
const contractsDir = join(root, 'docs/contracts');
// A test switch for the generator, not product configuration (tools/ may read process.env).
const update = process.env['SU_TEST_UPDATE_DOCS'] === '1';
const STALE = 'is stale: run `npm run docs:gen` and commit the result';

describe('generated documentation', () => {
  it('docs/database.md matches prisma/schema.prisma', () => {
    const models = parsePrismaSchema(readFileSync(join(root, 'prisma/schema.prisma'), 'utf8'));
    const current = readFileSync(dbDocPath, 'utf8');
    const wanted = fillGenerated(current, {
      erd: erDiagram(models),
      tables: tableList(models),
      indexes: indexList(models),
    });
    if (update) writeFileSync(dbDocPath, wanted);
    expect(update ? wanted : current, `docs/database.md ${STALE}`).toBe(wanted);
  });

  it('docs/contracts/ matches the zod contracts', () => {
    const files = contractSchemaFiles();
    files.set('README.md', contractIndex(files));
    if (update) {
      rmSync(contractsDir, { recursive: true, force: true });
      mkdirSync(contractsDir, { recursive: true });
      for (const [name, content] of files) writeFileSync(join(contractsDir, name), content);
    }
    const committed = existsSync(contractsDir) ? readdirSync(contractsDir).sort() : [];
    expect(committed, `docs/contracts/ ${STALE}`).toEqual([...files.keys()].sort());
    for (const [name, content] of files)
      expect(readFileSync(join(contractsDir, name), 'utf8'), `docs/contracts/${name} ${STALE}`).toBe(content);
  });
});
