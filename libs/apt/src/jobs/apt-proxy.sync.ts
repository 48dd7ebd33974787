import type { AptProxySetting } from '@su/contracts';
import { proxyFileScript } from '../apt-proxy.ts';
import type { AptJobSession } from './apt-session.ts';

/** Makes our apt.conf.d proxy file match the setting (as root); a failure stops the job before apt runs. */
export async function syncProxyFile(s: AptJobSession, proxy: AptProxySetting): Promise<void> {
  const r = await s.run(['sh', '-c', proxyFileScript(proxy)], { sudo: true });
  if (r.exitCode !== 0) throw new Error(`could not update the APT proxy file (exit ${r.exitCode}): ${r.stderr.trim()}`);
}
