import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth.ts';

/** Request bodies above this are refused (413) before they are read in full. */
export const MAX_JSON_BODY = '1mb';

/**
 * Options of the JSON body parser: the size cap, and the depth cap checked on the raw bytes (its `verify` hook runs
 * before the parse), so a 10,000-deep body never reaches JSON.parse or the recursive validators.
 */
export function jsonBodyOptions() {
  return {
    limit: MAX_JSON_BODY,
    verify: (_req: unknown, _res: unknown, raw: Buffer) => {
      if (jsonNestsDeeperThan(raw, MAX_JSON_DEPTH))
        throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH}`), {
          status: 400,
          type: 'entity.too.deep',
        });
    },
  };
}
