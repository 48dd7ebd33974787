import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, SECRET_COLUMNS, StoredSecretsRepository } from '@su/db';
import { rotateMasterKey, secretBinding } from '@su/db-tool';
import { NEXT_KEY_FILE, parseMasterKey, RETIRED_KEY_PREFIX, SecretBox, secretBoxFor } from '@su/security';
import { gatewayPerFile } from './test/gateway.harness.ts';

// npm run db -- rotate-key (issue 17): every stored secret (machine credentials, registry credentials, TOTP secrets,
// preset secrets) re-encrypted under a new key id; interrupted halfway and run again, it finishes; the running
// gateway opens every secret throughout.
const t = gatewayPerFile();
let db: Database;
const plaintexts = new Map<string, string>(); // "<table>.<column>:<row>" → the secret as given

/** Every stored ciphertext with what it must decrypt to. */
async function storedSecrets() {
  const out: { key: string; ct: string; aad: string }[] = [];
  for (const c of SECRET_COLUMNS) {
    const rows = await t.db.query<{ id: string; ct: string }>(
      `SELECT ${c.id}::text AS id, ${c.column} AS ct FROM ${c.table} WHERE ${c.column} IS NOT NULL`,
    );
    for (const r of rows) out.push({ key: `${c.table}.${c.column}:${r.id}`, ct: r.ct, aad: secretBinding(c, r.id) });
  }
  return out;
}

const keyIdOf = (ct: string) => ct.split('.')[1];

beforeAll(async () => {
  db = Database.connect({ url: t.db.url, applicationName: 'su-db-tool', maxConnections: 2 });
  for (let i = 0; i < 4; i++) {
    const res = await t.gw.api('POST', '/api/v1/machines', {
      body: {
        name: `m${i}`,
        hostname: '127.0.0.1',
        port: 9,
        username: 'u',
        credentials: { authMethod: 'password', password: `ssh-${i}`, sudoMode: 'separate', sudoPassword: `sudo-${i}` },
      },
    });
    expect(res.status).toBe(201);
  }
  const registry = await t.gw.api('PUT', '/api/v1/docker/registries', {
    body: { host: 'registry.test:5000', insecure: true },
  });
  expect(registry.status).toBe(200);
  const creds = await t.gw.api('PUT', `/api/v1/docker/registries/${registry.body.id}/credentials`, {
    body: { username: 'ci', password: 'registry-pw' },
  });
  expect(creds.status).toBe(200);
  const totp = await t.gw.api('POST', '/api/v1/auth/totp', { body: { password: t.gw.adminPassword } });
  expect(totp.status).toBe(201);
  const preset = await t.gw.api('POST', '/api/v1/variable-presets', {
    body: { scope: 'global', name: 'p', variables: { region: 'eu' }, secrets: { token: 'preset-secret' } },
  });
  expect(preset.status).toBe(201);
  // What each ciphertext holds, read once under the original key.
  const box = t.gw.app.get(SecretBox);
  for (const s of await storedSecrets()) plaintexts.set(s.key, box.decrypt(s.ct, s.aad));
});

afterAll(async () => {
  await db?.close();
});

describe('npm run db -- rotate-key', () => {
  it('covers every kind of stored secret', async () => {
    const tables = new Set([...plaintexts.keys()].map((k) => k.split('.')[0]));
    expect([...tables].sort()).toEqual([
      'docker_registry_credentials',
      'machine_credentials',
      'script_variables_presets',
      'users',
    ]);
    expect(plaintexts.size).toBe(4 * 2 + 1 + 1 + 1);
  });

  it('interrupted halfway, the old key and the new one both open; run again, it finishes under the new key id', async () => {
    const box = t.gw.app.get(SecretBox);
    const oldKeyId = box.keyId;
    let batches = 0;
    await expect(
      rotateMasterKey(db, {
        dataDir: t.gw.dataDir,
        masterKeyEnv: undefined,
        batchSize: 2,
        onBatch: () => {
          if (++batches === 3) throw new Error('interrupted (test)');
        },
      }),
    ).rejects.toThrow('interrupted (test)');

    const midway = await storedSecrets();
    const under = (k: string) => midway.filter((s) => keyIdOf(s.ct) === k).length;
    const newKeyId = SecretBox.keyIdOf(parseMasterKey(readFileSync(join(t.gw.dataDir, NEXT_KEY_FILE), 'utf8')));
    expect(under(oldKeyId)).toBeGreaterThan(0);
    expect(under(newKeyId)).toBeGreaterThan(0);
    // The running gateway (primary still the old key) opens both halves: it reads the rotation's next key.
    for (const s of midway) expect(box.decrypt(s.ct, s.aad), s.key).toBe(plaintexts.get(s.key));

    const result = await rotateMasterKey(db, { dataDir: t.gw.dataDir, masterKeyEnv: undefined, batchSize: 2 });
    expect(result).toMatchObject({ oldKeyId, newKeyId, keyFileSwitched: true });
    expect(result.reencrypted).toBe(under(oldKeyId));

    const after = await storedSecrets();
    expect(after.filter((s) => keyIdOf(s.ct) !== newKeyId)).toEqual([]);
    expect([...(await new StoredSecretsRepository(db).countByKeyId()).keys()]).toEqual([newKeyId]);
    const keyIds = await t.db.query<{ key_id: string }>(
      'SELECT key_id FROM machine_credentials UNION ALL SELECT key_id FROM docker_registry_credentials',
    );
    expect(new Set(keyIds.map((r) => r.key_id))).toEqual(new Set([newKeyId]));

    // master.key is the new key; the old one is kept retired (older backups), the next-key file is gone.
    const fresh = secretBoxFor(parseMasterKey(readFileSync(join(t.gw.dataDir, 'master.key'), 'utf8')), t.gw.dataDir);
    expect(fresh.keyId).toBe(newKeyId);
    expect(existsSync(join(t.gw.dataDir, `${RETIRED_KEY_PREFIX}${oldKeyId}`))).toBe(true);
    expect(existsSync(join(t.gw.dataDir, NEXT_KEY_FILE))).toBe(false);
    for (const s of after) {
      expect(fresh.decrypt(s.ct, s.aad), s.key).toBe(plaintexts.get(s.key));
      expect(box.decrypt(s.ct, s.aad), s.key).toBe(plaintexts.get(s.key));
    }
  });
});

describe('npm run db -- rotate-key with SU_MASTER_KEY', () => {
  it('needs the new key given; re-encrypts under it and leaves the switch of the environment to the operator', async () => {
    const current = readFileSync(join(t.gw.dataDir, 'master.key'), 'utf8').trim();
    await expect(rotateMasterKey(db, { dataDir: t.gw.dataDir, masterKeyEnv: current })).rejects.toThrow(
      /--new-key-file/,
    );
    const newKey = Buffer.alloc(32, 7);
    const result = await rotateMasterKey(db, { dataDir: t.gw.dataDir, masterKeyEnv: current, newKey });
    expect(result).toMatchObject({ newKeyId: SecretBox.keyIdOf(newKey), keyFileSwitched: false });
    const after = await storedSecrets();
    expect(after.filter((s) => keyIdOf(s.ct) !== result.newKeyId)).toEqual([]);
    // The services restarted with SU_MASTER_KEY=<new key> open everything; the old key stays readable (retired).
    const restarted = secretBoxFor(newKey, t.gw.dataDir);
    for (const s of after) expect(restarted.decrypt(s.ct, s.aad), s.key).toBe(plaintexts.get(s.key));
    expect(existsSync(join(t.gw.dataDir, `${RETIRED_KEY_PREFIX}${result.oldKeyId}`))).toBe(true);
    // The running gateway (started before both rotations) still opens them too.
    for (const s of after) expect(t.gw.app.get(SecretBox).decrypt(s.ct, s.aad), s.key).toBe(plaintexts.get(s.key));
  });
});
