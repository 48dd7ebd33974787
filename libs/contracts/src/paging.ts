/**
 * The largest `offset` a list accepts. Beyond it no list of this API has rows, and PostgreSQL's OFFSET (a bigint)
 * or the client's integer conversion would fail on `1e308` with a 500 instead of a 400.
 */
export const MAX_PAGE_OFFSET = 1_000_000_000;
