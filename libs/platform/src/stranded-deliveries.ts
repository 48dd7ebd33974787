import { Logger } from '@nestjs/common';
import type { JobKind } from '@su/contracts';
import { JobsRepository, type Database } from '@su/db';
import type { JobQueue } from '@su/queue';

const logger = new Logger('StrandedDeliveries');

/**
 * Sends again the jobs whose delivery a dead worker took with it. A worker killed after the queue handed it a job but
 * before it marked the job running leaves the row queued and the delivery active, and job kinds have no queue retry:
 * without this the job would stay queued until the queue expires the delivery, and then for good. A delivery active
 * for longer than `olderThanSeconds` (the machine lock's TTL: the time a live worker has to show it is alive) whose
 * job is still queued is taken as lost with its worker. A live but slow worker delivered twice is harmless: only one
 * delivery can mark the job running.
 */
export async function redeliverStranded(
  db: Database,
  queue: JobQueue,
  kinds: readonly JobKind[],
  olderThanSeconds: number,
): Promise<number> {
  const active = await queue.activeDeliveries(kinds, olderThanSeconds);
  if (active.length === 0) return 0;
  const queued = new Set(await new JobsRepository(db.prisma).queuedAmong(active.map((d) => d.jobId)));
  let sent = 0;
  for (const delivery of active.filter((d) => queued.has(d.jobId))) {
    if (!(await queue.redeliver(delivery))) continue;
    sent++;
    logger.warn(`job ${delivery.jobId} (${delivery.kind}): its delivery was lost with its worker; delivered again`);
  }
  return sent;
}
