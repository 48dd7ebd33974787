import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@su/db';

export function heartbeatPath(service: string): string {
  return join(tmpdir(), `su-${service}.alive`);
}

/**
 * Services without HTTP (workers, scheduler) prove liveness to a container health check by touching a file after a
 * successful database round trip; a hung event loop or a lost database stops the touches and the check fails
 * (`find /tmp/su-<service>.alive -mmin -1`).
 */
export function startHeartbeatFile(service: string, db: Database, everyMs = 15_000): () => void {
  const beat = () =>
    db
      .ping()
      .then(() => writeFile(heartbeatPath(service), new Date().toISOString()))
      .catch(() => undefined);
  void beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
