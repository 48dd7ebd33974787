/**
 * The cookie that binds a pending OIDC sign-in to the browser that started it. It carries only a random handle
 * (the server keeps its hash next to the pending state), so a callback URL copied into another browser is refused.
 * SameSite=Lax: the provider's redirect back is a cross-site top-level GET, which Strict would strip the cookie from.
 */
export const OIDC_BROWSER_COOKIE = 'su_oidc';

export interface BrowserCookie {
  name: string;
  value: string;
  options: { httpOnly: true; sameSite: 'lax'; secure: boolean; path: string; maxAge: number };
}

/** The cookie to set on the redirect to the provider; its path is the callback's, as the browser sees it. */
export function oidcBrowserCookie(handle: string, redirectUri: string, maxAgeMs: number): BrowserCookie {
  const url = new URL(redirectUri);
  return {
    name: OIDC_BROWSER_COOKIE,
    value: handle,
    options: {
      httpOnly: true,
      sameSite: 'lax',
      secure: url.protocol === 'https:',
      path: url.pathname,
      maxAge: maxAgeMs,
    },
  };
}

/** The value of one cookie from a `Cookie` request header (undefined when absent or repeated). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
}
