import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ApiClientsService } from '@su/auth';
import { loadConfig } from '@su/config';
import { JobRunner, type PlatformOptions } from '@su/platform';
import { AptWorkerModule, aptWorkerHandlers } from '@su/apt-worker';
import { createGatewayApp } from '@su/gateway';
import { sseFrames } from '@su/testing';
import { benchDatabase } from './bench-database.ts';
import { printTable, summary } from './stats.ts';

const JOBS = 60;
/** How often a dashboard that refreshes by polling asks (the peer): once a second. */
const POLL_MS = 1000;
const ACTOR = { type: 'system', id: 'bench' } as const;

interface Received {
  jobId: string;
  status: string;
  createdAt: number;
  receivedAt: number;
}

/** Reads an SSE response, calling back for each `job.status` event. */
async function readStream(res: Response, onEvent: (e: Received) => void): Promise<void> {
  if (!res.body) throw new Error(`the stream answered ${res.status} without a body`);
  try {
    for await (const frame of sseFrames(res.body)) {
      if (!frame.data) continue;
      const e = JSON.parse(frame.data) as {
        type: string;
        jobId: string;
        createdAt: string;
        payload: { status: string };
      };
      if (e.type === 'job.status')
        onEvent({
          jobId: e.jobId,
          status: e.payload.status,
          createdAt: Date.parse(e.createdAt),
          receivedAt: Date.now(),
        });
    }
  } catch {
    // The bench closed the stream (its request aborted).
  }
}

/** Polls a job every POLL_MS until it is ok; returns the delay from its finish to the poll that saw it. */
async function pollUntilOk(base: string, token: string, id: string): Promise<number> {
  for (;;) {
    const res = await fetch(`${base}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const job = (await res.json()) as { status: string; finishedAt: string };
    if (job.status === 'ok') return Date.now() - Date.parse(job.finishedAt);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Live events: the delay from a job's status change in the database to a client knowing it — over the SSE stream
 * (ours: trigger → NOTIFY → one LISTEN per gateway → every stream) against a client polling the job once a second
 * (how a dashboard without a push channel keeps up). Selftest jobs through the real queue and an apt-worker.
 */
export async function eventsBench(): Promise<void> {
  const { url, close } = await benchDatabase('events');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-events-'));
  const config = loadConfig({ DATABASE_URL: url, SU_DATA_DIR: dataDir });
  const platform: PlatformOptions = { service: 'gateway', config, databaseUrl: url };
  const app = await createGatewayApp(platform, false);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const worker = await NestFactory.createApplicationContext(
    AptWorkerModule.forRoot({ ...platform, service: 'apt-worker' }),
    { logger: ['error'] },
  );
  await worker.get(JobRunner).start('apt-worker', aptWorkerHandlers(worker), 4);
  const { token } = await app
    .get(ApiClientsService)
    .create({ label: 'bench', clientKind: 'script', scopes: ['operate'] }, ACTOR);
  const ctrl = new AbortController();
  try {
    const received: Received[] = [];
    const waiters = new Map<string, () => void>();
    const stream = await fetch(`${base}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: ctrl.signal,
    });
    void readStream(stream, (e) => {
      received.push(e);
      if (e.status === 'ok') waiters.get(e.jobId)?.();
    });
    const selftest = async () => {
      const res = await fetch(`${base}/api/v1/system/selftest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ echo: 'bench' }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    for (let i = 0; i < JOBS + 3; i++) {
      if (i === 3) received.length = 0; // the first jobs warm connections and plans up
      const id = await selftest();
      await new Promise<void>((r) => waiters.set(id, r));
    }
    const sse = summary(received.map((e) => e.receivedAt - e.createdAt));
    const polled: number[] = [];
    for (let i = 0; i < 10; i++) polled.push(await pollUntilOk(base, token, await selftest()));
    const poll = summary(polled);
    printTable(
      'events: database change → client knows (selftest jobs through the queue and an apt-worker)',
      ['client', 'changes', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['SSE stream (ours)', sse.n, sse.p50, sse.p99, sse.max],
        [`polling GET /jobs/:id every ${POLL_MS} ms (peer)`, poll.n, poll.p50, poll.p99, poll.max],
      ],
    );
    console.log(`target: SSE p99 <= 100 ms — ${sse.p99 <= 100 ? 'met' : 'NOT met'} (${sse.p99.toFixed(1)} ms)`);
  } finally {
    ctrl.abort();
    await worker.close();
    await app.close();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
