import { describe, expect, it } from 'vitest';
import { Database, LiveEventsRepository } from '@su/db';
import { sseFrames } from '@su/testing';
import { gatewayPerFile } from './test/gateway.harness.ts';

interface SseEvent {
  id: string;
  type: string;
  data: {
    id: string;
    createdAt: string;
    type: string;
    jobId: string | null;
    payload: { status?: string; jobId?: string };
  };
}

/** A minimal SSE client over fetch: collects events until stopped. */
function openStream(base: string, token: string, lastEventId?: string) {
  const events: SseEvent[] = [];
  const ctrl = new AbortController();
  const ready = fetch(`${base}/api/v1/events/stream`, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
    signal: ctrl.signal,
  }).then((res) => {
    expect(res.status).toBe(200);
    void (async () => {
      try {
        for await (const f of sseFrames(res.body!)) {
          if (f.data) events.push({ id: f.id!, type: f.event!, data: JSON.parse(f.data) });
        }
      } catch {
        // aborted
      }
    })();
  });
  return { events, ready, close: () => ctrl.abort() };
}

const t = gatewayPerFile();

/** A promise the test resolves when it chooses (`open`). */
function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { open: () => open(), wait };
}

async function until(cond: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('live events (SSE)', () => {
  // How fast is measured by `npm run bench -- events`, never asserted here: the host is shared and noisy.
  it("pushes a job's queued, running, ok in order; Last-Event-ID replays what was missed", async () => {
    const s = openStream(t.gw.base, t.gw.adminToken);
    await s.ready;
    const job = (await t.gw.api('POST', '/api/v1/system/selftest', { body: { echo: 'sse' } })).body;
    const mine = () => s.events.filter((e) => e.type === 'job.status' && e.data.jobId === job.id);
    await until(() => mine().length >= 3);
    expect(mine().map((e) => e.data.payload.status)).toEqual(['queued', 'running', 'ok']);
    const ids = s.events.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    const lastSeen = s.events.at(-1)!.id;
    s.close();

    // While disconnected: another job runs.
    const missed = (await t.gw.api('POST', '/api/v1/system/selftest', { body: { echo: 'missed' } })).body;
    await t.gw.waitJob(missed.id);
    const again = openStream(t.gw.base, t.gw.adminToken, lastSeen);
    await again.ready;
    await until(() => again.events.filter((e) => e.data.jobId === missed.id).length >= 3);
    expect(again.events.filter((e) => e.data.jobId === missed.id).map((e) => e.data.payload.status)).toEqual([
      'queued',
      'running',
      'ok',
    ]);
    expect(again.events.every((e) => BigInt(e.id) > BigInt(lastSeen))).toBe(true);
    again.close();
  });

  it('a Last-Event-ID replay does not pass an event whose transaction commits after a later one', async () => {
    const db = t.gw.app.get(Database);
    const quick = new LiveEventsRepository(db.prisma);
    const s = openStream(t.gw.base, t.gw.adminToken);
    const taken = gate();
    const committing = gate();
    let held: Promise<unknown> = Promise.resolve();
    try {
      await s.ready;
      await quick.publish('test.before', null, null, {});
      await until(() => s.events.some((e) => e.type === 'test.before'));
      const lastSeen = s.events.at(-1)!.id;
      // A hole: a transaction takes the next id and has not committed when a later event is visible.
      held = db.transaction(async (tx) => {
        await new LiveEventsRepository(tx).publish('test.hole', null, null, {});
        taken.open();
        await committing.wait;
      });
      await taken.wait;
      await quick.publish('test.after', null, null, {});
      const resumed = openStream(t.gw.base, t.gw.adminToken, lastSeen);
      await resumed.ready;
      await new Promise((r) => setTimeout(r, 300));
      committing.open();
      await held;
      const ours = (c: typeof s) => c.events.filter((e) => e.type.startsWith('test.')).map((e) => e.type);
      await until(() => ours(resumed).length >= 2 && ours(s).length >= 3);
      expect(ours(resumed)).toEqual(['test.hole', 'test.after']);
      expect(ours(s)).toEqual(['test.before', 'test.hole', 'test.after']);
      resumed.close();
    } finally {
      committing.open();
      await held;
      s.close();
    }
  });

  it('pushes a new action request and its decision', async () => {
    const s = openStream(t.gw.base, t.gw.adminToken);
    await s.ready;
    try {
      const machine = await t.gw.api('POST', '/api/v1/machines', {
        body: { name: 'sse-req', hostname: 'sse-req.invalid', username: 'admin' },
      });
      const req = await t.gw.api('POST', '/api/v1/action-requests', {
        body: { machineId: machine.body.id, action: 'reboot_verified' },
      });
      expect(req.status, req.text).toBe(201);
      expect((await t.gw.api('POST', `/api/v1/action-requests/${req.body.id}/reject`, { body: {} })).status).toBe(200);
      const mine = () =>
        s.events.filter(
          (e) =>
            e.type === 'action_request.status' && (e.data.payload as { requestId?: string }).requestId === req.body.id,
        );
      await until(() => mine().length >= 2);
      expect(mine().map((e) => e.data.payload.status)).toEqual(['pending', 'rejected']);
    } finally {
      s.close();
    }
  });

  it('needs a token and refuses a malformed Last-Event-ID', async () => {
    expect((await fetch(`${t.gw.base}/api/v1/events/stream`)).status).toBe(401);
    const bad = await fetch(`${t.gw.base}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${t.gw.adminToken}`, 'last-event-id': 'x' },
    });
    expect(bad.status).toBe(400);
  });
});
