import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';

// ssh2 is CommonJS: take `utils` from the default export (as libs/ssh does).
const { utils } = ssh2;

const CACHE_DIR = join(tmpdir(), 'su-sim-fleet');
const CACHE_FILE = join(CACHE_DIR, 'host-keys-ed25519.json');

/**
 * `count` ed25519 host keys (OpenSSH private key format), generated once and cached on disk, so a fleet of 10,000
 * hosts starts in a second. The keys are test material only (the simulator's hosts), never a real machine's.
 */
export function simHostKeys(count: number): string[] {
  const read = existsSync(CACHE_FILE) ? (JSON.parse(readFileSync(CACHE_FILE, 'utf8')) as string[]) : [];
  // A cache written before keys were checked may hold one ssh2 cannot read back (freshHostKey).
  const cached = read.filter(parses);
  if (cached.length >= count && cached.length === read.length) return cached.slice(0, count);
  const keys = [...cached];
  while (keys.length < count) keys.push(freshHostKey());
  mkdirSync(CACHE_DIR, { recursive: true });
  // Written whole then renamed: two simulators starting at once never read half a file.
  const tmp = `${CACHE_FILE}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(keys), { mode: 0o600 });
  renameSync(tmp, CACHE_FILE);
  return keys;
}

/** A new ed25519 host key (a host key change: the product must refuse it until the change is accepted). */
export function freshHostKey(): string {
  // ssh2 writes about 3 keys in 1,000 that its own parser then refuses ("Malformed OpenSSH private key"); a server
  // given one fails to start, so such a key is drawn again.
  for (;;) {
    const key = utils.generateKeyPairSync('ed25519').private;
    if (parses(key)) return key;
  }
}

function parses(key: string): boolean {
  return !(utils.parseKey(key) instanceof Error);
}
