import { APT_PROXY_URL, type AptProxySetting } from '@su/contracts';
import { quoteArg } from '@su/ssh';

/** Ours alone: written in persistent mode, removed otherwise. 80 sorts after the distribution's own files. */
export const APT_PROXY_CONF_PATH = '/etc/apt/apt.conf.d/80system-update-proxy';

/** The URL again, here where it reaches a shell and a conf file: a stored value is never trusted blindly. */
function checkedUrl(url: string | null): string {
  if (!url || !APT_PROXY_URL.test(url)) throw new Error('invalid apt proxy url');
  return url;
}

/** `-o Acquire::http::Proxy=...` for the apt-get commands that fetch (update, applies), in runtime mode only. */
export function proxyOptions(setting: AptProxySetting | undefined): string[] {
  return setting?.mode === 'runtime' ? ['-o', `Acquire::http::Proxy=${checkedUrl(setting.url)}`] : [];
}

/** The whole content of our apt.conf.d file: fixed text around the validated (quote-free) URL. */
export function proxyConfContent(url: string | null): string {
  return `// Written by system-update (APT proxy mode: persistent). Removed when the mode is changed.\nAcquire::http::Proxy "${checkedUrl(url)}";\n`;
}

/**
 * A root shell snippet that makes the machine's apt.conf.d match the setting: persistent writes our file (through a
 * temporary file, so apt never reads half of it); any other mode removes it. Idempotent, run before each APT job.
 */
export function proxyFileScript(setting: AptProxySetting): string {
  if (setting.mode !== 'persistent') return `rm -f ${APT_PROXY_CONF_PATH}`;
  const tmp = `${APT_PROXY_CONF_PATH}.tmp`;
  return `umask 022 && printf '%s' ${quoteArg(proxyConfContent(setting.url))} > ${tmp} && mv -f ${tmp} ${APT_PROXY_CONF_PATH}`;
}
