import type { HostKeyInfo } from './host-key-info.ts';

/**
 * The verdict on the key a server presented. `true` connects. `'unknown'` refuses with `host_key_unknown` (no key on
 * record yet and the policy wants a person to approve it). `'changed'` — and plain `false`, the conservative reading
 * of "not accepted" — refuses with `host_key_changed`. A verifier may also throw an SshError of its own kind.
 * Refusal happens during key exchange: authentication never starts, so nothing can run on the machine.
 */
export type HostKeyVerdict = boolean | 'unknown' | 'changed';

export type HostKeyVerifier = (key: HostKeyInfo) => HostKeyVerdict | Promise<HostKeyVerdict>;

/**
 * A verifier for the usual case: `known` holds the fingerprints a person (or trust on first use) accepted for this
 * machine. Nothing on record → `unknown`; a key not on record → `changed`. Recording the first key is the caller's
 * decision (policy), never this library's.
 */
export function knownHostKeyVerifier(known: readonly string[]): HostKeyVerifier {
  return (key) => (known.length === 0 ? 'unknown' : known.includes(key.fingerprintSha256) ? true : 'changed');
}
