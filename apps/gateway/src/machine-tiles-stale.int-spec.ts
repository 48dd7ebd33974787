import { describe, expect, it } from 'vitest';
import { Database, MachinesRepository } from '@su/db';
import { gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();

/** ADR 0055: writers only mark tiles stale; the reader (GET /machines) rebuilds what was marked, in one statement. */

async function addMachine(name: string, tags: string[] = []): Promise<string> {
  const res = await t.gw.api('POST', '/api/v1/machines', {
    body: { name, hostname: '127.0.0.1', port: 1, username: 'admin', tags },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

/** The list as the dashboard reads it (which rebuilds the stale tiles first). */
async function list(query = 'limit=1000'): Promise<{ items: Record<string, any>[]; total: number }> {
  const res = await t.gw.api('GET', `/api/v1/machines?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { items: Record<string, any>[]; total: number };
}

const marks = async (id: string) =>
  Number(
    (
      await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM machine_tiles_stale WHERE machine_id = $1::uuid`, [id])
    )[0]!.n,
  );
const allMarks = async () =>
  Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM machine_tiles_stale`))[0]!.n);

/** Each stored tile's text and row version (xmin changes when the row is written again, even with the same text). */
async function stored(): Promise<Map<string, { view: string; xmin: string }>> {
  const rows = await t.db.query<{ machine_id: string; view: string; xmin: string }>(
    `SELECT machine_id, view, xmin::text FROM machine_tiles`,
  );
  return new Map(rows.map((r) => [r.machine_id, { view: r.view, xmin: r.xmin }]));
}

/** A connection of its own (for a transaction held open while others act). */
interface Conn {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}

async function setUpdates(id: string, n: number, client?: Conn): Promise<void> {
  const sql = `UPDATE machine_state SET apt_updates_count = $2 WHERE machine_id = $1::uuid`;
  if (client) await client.query(sql, [id, n]);
  else await t.db.query(sql, [id, n]);
}

async function connect(): Promise<Conn> {
  const db = Database.connect({ url: t.db.url, maxConnections: 1 });
  const c = await db.pool.connect();
  return {
    query: (sql, params) => c.query(sql, params),
    end: async () => {
      c.release();
      await db.close();
    },
  };
}

/** Polls until `check` holds (a generous deadline: the machine is shared; nothing here measures time). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stale tiles', () => {
  it('a new machine is marked, not built; the next read builds it', async () => {
    const id = await addMachine('stale-new');
    expect(await marks(id)).toBeGreaterThan(0);
    expect((await stored()).has(id)).toBe(false);
    expect((await list()).items.map((m) => m.id)).toContain(id);
    expect(await marks(id)).toBe(0);
    expect((await stored()).has(id)).toBe(true);
  });

  it('writes mark without rebuilding: four writes in one transaction, one rebuild at the next read', async () => {
    const id = await addMachine('stale-four');
    await list();
    const before = (await stored()).get(id)!;
    const c = await connect();
    try {
      await c.query('BEGIN');
      for (const n of [1, 2, 3, 4]) await setUpdates(id, n, c);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
    expect(await marks(id)).toBe(4);
    expect((await stored()).get(id)).toEqual(before); // the tile is untouched until someone reads
    const rebuilt = await new MachinesRepository(t.gw.app.get(Database).prisma).flushStaleTiles();
    expect(rebuilt).toBe(1);
    expect(await allMarks()).toBe(0);
    expect(JSON.parse((await stored()).get(id)!.view).state.aptUpdatesCount).toBe(4);
  });

  it('a read rebuilds exactly the tiles that changed, and a read with nothing marked rebuilds none', async () => {
    const [a, b] = [await addMachine('stale-exact-a'), await addMachine('stale-exact-b')];
    await list();
    const before = await stored();
    await setUpdates(a, 7);
    const page = await list();
    expect(page.items.find((m) => m.id === a)?.state.aptUpdatesCount).toBe(7);
    const after = await stored();
    const rewritten = [...after.keys()].filter((id) => after.get(id)!.xmin !== before.get(id)?.xmin);
    expect(rewritten).toEqual([a]);
    expect(after.get(b)).toEqual(before.get(b));
    await list();
    expect(await stored()).toEqual(after);
  });

  it('a read waits for a flush under way (read-your-writes); a write committed during that flush stays marked', async () => {
    const id = await addMachine('stale-during');
    await list();
    await setUpdates(id, 11);
    const flusher = await connect();
    const writer = await connect();
    try {
      // A flush that has taken the mark of the write above and not committed yet.
      await flusher.query('BEGIN');
      await flusher.query('SELECT su_tiles_flush()');
      // A write committed while it runs: marked after the flush took its marks.
      await setUpdates(id, 12, writer);
      // A read started now must see the write of 11, which only the open flush has taken: it waits for it.
      const read = list();
      await until(
        async () =>
          Number(
            (
              await t.db.query<{ n: string }>(
                `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
              )
            )[0]!.n,
          ) > 0,
        'the read waits for the flush',
      );
      await flusher.query('COMMIT');
      const seen = (await read).items.find((m) => m.id === id);
      // The read came after the write of 12 was committed: its own flush took that mark.
      expect(seen?.state.aptUpdatesCount).toBe(12);
      expect(await marks(id)).toBe(0);
      // A write committed while a flush runs keeps its mark once that flush has committed: the next read has it.
      await flusher.query('BEGIN');
      await setUpdates(id, 13, writer);
      await flusher.query('SELECT su_tiles_flush()');
      await setUpdates(id, 14, writer);
      await flusher.query('COMMIT');
      expect(await marks(id)).toBe(1);
      expect(JSON.parse((await stored()).get(id)!.view).state.aptUpdatesCount).toBe(13);
      expect((await list()).items.find((m) => m.id === id)?.state.aptUpdatesCount).toBe(14);
    } finally {
      await flusher.end();
      await writer.end();
    }
  });

  it('concurrent reads and writes leave nothing marked forever, and the last write is what is read', async () => {
    const ids = [await addMachine('stale-race-a'), await addMachine('stale-race-b')];
    const writers = await Promise.all(ids.map(() => connect()));
    try {
      const writes = ids.map(async (id, k) => {
        for (let n = 1; n <= 30; n++) await setUpdates(id, n, writers[k]);
      });
      const reads = (async () => {
        for (let n = 0; n < 10; n++) await list();
      })();
      await Promise.all([...writes, reads]);
    } finally {
      await Promise.all(writers.map((w) => w.end()));
    }
    const page = await list();
    for (const id of ids) expect(page.items.find((m) => m.id === id)?.state.aptUpdatesCount).toBe(30);
    expect(await allMarks()).toBe(0);
  });

  it('a deleted machine leaves the list at once and its stored tile goes at the next read', async () => {
    const [soft, hard] = [await addMachine('stale-del-soft'), await addMachine('stale-del-hard')];
    await list();
    expect((await t.gw.api('DELETE', `/api/v1/machines/${soft}`)).status).toBeLessThan(300);
    await t.db.query(`DELETE FROM machines WHERE id = $1::uuid`, [hard]);
    expect((await stored()).has(hard)).toBe(true); // marked, not yet removed
    const ids = (await list()).items.map((m) => m.id);
    expect(ids).not.toContain(soft);
    expect(ids).not.toContain(hard);
    expect((await stored()).has(hard)).toBe(false);
  });

  it('a renamed tag is marked on its machines, and the tag filter, status order and count follow at once', async () => {
    const id = await addMachine('stale-tag', ['stale-old']);
    await list();
    await t.db.query(`UPDATE tags SET name = 'stale-new' WHERE name = 'stale-old'`);
    await t.db.query(`UPDATE machine_state SET blocked = true WHERE machine_id = $1::uuid`, [id]);
    expect(await marks(id)).toBe(2);
    const tagged = await list('tag=stale-new&sort=status');
    expect(tagged.total).toBe(1);
    expect(tagged.items[0]).toMatchObject({ id, tags: ['stale-new'], state: { blocked: true } });
    expect((await list('sort=status&limit=1')).items[0]?.id).toBe(id); // blocked ranks first
  });
});
