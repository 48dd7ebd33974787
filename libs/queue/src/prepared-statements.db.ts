import { createHash } from 'node:crypto';
// pg-boss's own connection pool and LISTEN connection (it has no exports map; the class is its default export).
import Db from 'pg-boss/dist/db.js';

/** Distinct statement texts prepared at most (per process): pg-boss's hot ones are a handful per queue. */
const MAX_PREPARED = 200;
/** A text is prepared from its second use on: a statement run once (a migration step) is not worth a name. */
const USES_BEFORE_NAMED = 1;

/**
 * pg-boss's database, with every statement it repeats prepared once per connection (a named statement) instead of
 * parsed and planned at each call: its fetch and its completion, one each per job, were 1.5 s of planning in the
 * 18 s of a 1,000-machine pass where PostgreSQL used 14 s (ADR 0062). Everything else is pg-boss's own Db: the
 * pool, the LISTEN connection, transactions, statements bound to an abort signal (left unnamed: they take a client
 * of their own).
 */
export class PreparedStatementsDb extends Db {
  private readonly uses = new Map<string, number>();
  private readonly names = new Map<string, string>();

  override async executeSql(
    text: string,
    values?: unknown[],
    opts: { signal?: AbortSignal; retire?: AbortSignal } = {},
  ): ReturnType<Db['executeSql']> {
    const name = opts.signal || opts.retire ? null : this.nameOf(text);
    if (!name) return super.executeSql(text, values, opts);
    // Db.executeSql hands its first argument to pg's Pool#query, which takes a query config as well as a text.
    const config = { name, text, ...(values ? { values } : {}) };
    return super.executeSql(config as unknown as string, undefined, opts);
  }

  private nameOf(text: string): string | null {
    const known = this.names.get(text);
    if (known) return known;
    const n = (this.uses.get(text) ?? 0) + 1;
    if (n <= USES_BEFORE_NAMED || this.names.size >= MAX_PREPARED) {
      // Counted only while there is room for a name; texts never repeated are forgotten with the count's cap.
      if (this.uses.size < 4 * MAX_PREPARED) this.uses.set(text, n);
      return null;
    }
    this.uses.delete(text);
    const name = `pgboss_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    this.names.set(text, name);
    return name;
  }
}
