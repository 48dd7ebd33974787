export const HOST_KEY_POLICY_SETTING = 'ssh.host_key_policy';
export const HOST_KEY_POLICIES = ['trust_first_use', 'require_approval'] as const;
export type HostKeyPolicy = (typeof HOST_KEY_POLICIES)[number];
/** Trust on first use, like OpenSSH's `accept-new`: the usual homelab expectation; stricter sites require approval. */
export const DEFAULT_HOST_KEY_POLICY: HostKeyPolicy = 'trust_first_use';

export function isHostKeyPolicy(v: unknown): v is HostKeyPolicy {
  return typeof v === 'string' && (HOST_KEY_POLICIES as readonly string[]).includes(v);
}
