/** An openapi-fetch answer's shape, as `unwrap` reads it. */
export interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

declare global {
  interface Window {
    /** Requests public/boot.js sent before the UI's code ran, by path and query; each is taken once. */
    suEarly?: Record<string, Promise<Response | null> | undefined>;
  }
}

/**
 * The answer boot.js already asked for at `pathAndQuery`, else `call()`. Taken once: a later read (a refresh) asks the
 * server again. A request that failed on the network is asked again the usual way.
 */
export async function earlyOr(pathAndQuery: string, call: () => Promise<Answer>): Promise<Answer> {
  const asked = typeof window === 'undefined' ? undefined : window.suEarly;
  const early = asked?.[pathAndQuery];
  if (!asked || !early) return call();
  delete asked[pathAndQuery];
  const response = await early;
  if (!response) return call();
  const body: unknown = await response.json().catch(() => undefined);
  return response.ok ? { data: body, response } : { error: body, response };
}
