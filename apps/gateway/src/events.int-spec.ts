import { describe, expect, it } from 'vitest';
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
