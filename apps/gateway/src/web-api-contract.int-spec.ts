import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

/*
 * The web UI's API types are generated from the gateway's OpenAPI document (ADR 0019). Both the document and the
 * types are committed; this fails when either differs from what the running gateway serves, so UI and API cannot
 * drift. `npm run web:api` rewrites both (it runs this file with SU_TEST_UPDATE_OPENAPI=1).
 */
const root = new URL('../../..', import.meta.url).pathname;
const specPath = join(root, 'apps/web/openapi.json');
const typesPath = join(root, 'apps/web/src/api/schema.d.ts');
const generator = join(root, 'apps/web/node_modules/.bin/openapi-typescript');
// eslint-disable-next-line no-restricted-properties -- a test switch for the generator, not product configuration
const update = process.env['SU_TEST_UPDATE_OPENAPI'] === '1';

const t = gatewayPerFile();

function typesOf(spec: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'su-openapi-'));
  writeFileSync(join(dir, 'openapi.json'), spec);
  const out = spawnSync(generator, [join(dir, 'openapi.json'), '-o', join(dir, 'schema.d.ts')], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`openapi-typescript failed: ${out.stderr}`);
  return readFileSync(join(dir, 'schema.d.ts'), 'utf8');
}

describe('web UI API contract', () => {
  it('the committed OpenAPI document and generated types match what the gateway serves', async () => {
    const res = await fetch(`${t.gw.base}/api/docs-json`);
    expect(res.status).toBe(200);
    const served = `${JSON.stringify(await res.json(), null, 2)}\n`;
    const types = typesOf(served);
    if (update) {
      writeFileSync(specPath, served);
      writeFileSync(typesPath, types);
    }
    const hint = 'the gateway API changed: run `npm run web:api` and commit apps/web/openapi.json and schema.d.ts';
    expect(readFileSync(specPath, 'utf8') === served, hint).toBe(true);
    expect(readFileSync(typesPath, 'utf8') === types, hint).toBe(true);
  });
});
