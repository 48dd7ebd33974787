import type { INestApplicationContext } from '@nestjs/common';
import { ActionRequestsService } from '@su/approvals';
import type { AppConfig } from '@su/config';
import { Database, LiveEventsRepository, MachinesRepository } from '@su/db';
import { MetricsSampleScheduler } from '@su/inventory';
import { CleanupService, SystemMetricsSampler } from '@su/maintenance';
import { NotificationDispatcher, NotificationSender } from '@su/notifications';
import { MachineLockService } from '@su/platform';
import { ScheduleRunAdvancer } from '@su/runs';
import { SchedulerLeaderService } from '@su/schedules';

/** How often the leader rebuilds the tiles marked stale that no reader has rebuilt yet. */
const TILES_FLUSH_MS = 30_000;

/** The leader-only maintenance tasks, then the election. */
export function startLeadership(app: INestApplicationContext, config: AppConfig): SchedulerLeaderService {
  const leader = app.get(SchedulerLeaderService);
  const db = app.get(Database);
  const locks = app.get(MachineLockService);
  const requests = app.get(ActionRequestsService);
  const advancer = app.get(ScheduleRunAdvancer);
  // Requests expire on time even when nobody looks at them; a schedule's waiting step is skipped with them.
  leader.addTask('expire action requests', 5_000, () => requests.expireDue(new Date()));
  leader.addTask('reclaim expired machine locks', 15_000, () => locks.reconcileExpired());
  leader.addTask('move on stalled schedule runs', 30_000, () => advancer.sweepStalled(db));
  // Writers only mark tiles stale and the tiles' reader rebuilds them (ADR 0055); this keeps the marks from piling up
  // while nobody reads the list, so the next reader's rebuild stays small.
  leader.addTask('rebuild stale tiles', TILES_FLUSH_MS, () => new MachinesRepository(db.prisma).flushStaleTiles());
  leader.addTask('prune live events', 10 * 60_000, () =>
    new LiveEventsRepository(db.prisma).deleteOlderThan(
      new Date(Date.now() - config.liveEventsRetentionHours * 3600_000),
    ),
  );
  const notifications = app.get(NotificationDispatcher);
  leader.addTask('find events to notify', config.notify.scanSeconds * 1000, () => notifications.scan());
  const cleanup = app.get(CleanupService);
  const sampler = app.get(SystemMetricsSampler);
  const { cleanupIntervalHours, systemMetricsSeconds } = config.maintenance;
  // The daily clean-up: checked every 10 minutes (and at election) against the last scheduled run, so a scheduler
  // restarted every night still cleans once a day, and never twice.
  const cleanupMs = cleanupIntervalHours * 3_600_000;
  leader.addTask('clean-up run', Math.min(cleanupMs, 10 * 60_000), () => cleanup.runIfDue(cleanupMs));
  leader.addTask('system metrics', systemMetricsSeconds * 1000, () => sampler.sample());
  // Checked every 5 s (one settings read); a pass is queued when the interval in app_settings has passed (ADR 0044).
  const hostMetrics = app.get(MetricsSampleScheduler);
  leader.addTask('host metrics sample', 5_000, () => hostMetrics.tick());
  leader.start();
  return leader;
}

/**
 * What every scheduler process runs once its context is up: the notification sender (every process; pg-boss spreads
 * the deliveries), then the election (the leader alone fires schedules and runs maintenance).
 */
export async function startSchedulerServices(
  app: INestApplicationContext,
  config: AppConfig,
): Promise<SchedulerLeaderService> {
  await app.get(NotificationSender).start();
  return startLeadership(app, config);
}
