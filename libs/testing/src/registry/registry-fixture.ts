// Per test file: a temporary directory and an open local registry to push to (and check against).
import { mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGISTRY_BINARY, startLocalRegistry, type LocalRegistry, type LocalRegistryAuth } from './local-registry.ts';

export interface RegistryFixture {
  dir: string;
  storage: string;
  open: LocalRegistry;
  /** Another registry process on the same storage, guarded by `auth`. */
  guarded(name: string, auth: LocalRegistryAuth): Promise<LocalRegistry>;
  close(): Promise<void>;
}

export async function registryFixture(): Promise<RegistryFixture> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`${REGISTRY_BINARY} is missing: apt-get install -y docker-registry (.ci/run installs it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'su-registry-test-'));
  const storage = join(dir, 'storage');
  const started: LocalRegistry[] = [];
  const open = await startLocalRegistry(join(dir, 'open'), storage);
  started.push(open);
  return {
    dir,
    storage,
    open,
    guarded: async (name, auth) => {
      const r = await startLocalRegistry(join(dir, name), storage, auth);
      started.push(r);
      return r;
    },
    close: async () => {
      await Promise.all(started.map((r) => r.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
