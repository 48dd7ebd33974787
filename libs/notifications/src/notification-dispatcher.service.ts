import { Inject, Injectable } from '@nestjs/common';
import {
  AppSettingsRepository,
  Database,
  NotificationSourcesRepository,
  NotificationsRepository,
  type MachineMarkRow,
} from '@su/db';
import { DeliveryQueue } from './delivery-queue.ts';
import {
  approvalEvents,
  hostKeyEvents,
  machineStateEvents,
  scheduleRunEvents,
  unreachableEvents,
  type Candidate,
} from './notification-detectors.ts';

const CURSOR_KEY = 'notifications.scan_cursor';
/**
 * Each scan looks back this far before its cursor: a row committed late (its timestamp taken earlier in a long
 * transaction) is still seen; the events' dedup keys make the second look harmless.
 */
const OVERLAP_MS = 2 * 60_000;
const DEFAULT_UNREACHABLE_THRESHOLD = 3;

type Listener = { channelId: string; threshold: number | null };

/**
 * Finds the events worth telling and queues one delivery per listening channel (ADR 0035). Run by the scheduler's
 * leader every few seconds; reads what the other parts write and changes none of it.
 */
@Injectable()
export class NotificationDispatcher {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(DeliveryQueue) private readonly deliveries: DeliveryQueue,
  ) {}

  /** One pass; returns the number of deliveries queued. */
  async scan(now = new Date()): Promise<number> {
    const settings = new AppSettingsRepository(this.db.prisma);
    const cursor = await settings.get(CURSOR_KEY);
    const from = typeof cursor === 'string' ? new Date(cursor) : now;
    const since = new Date(from.getTime() - OVERLAP_MS);
    const src = new NotificationSourcesRepository(this.db.prisma);
    const marks = await src.machineMarks();
    const candidates = [
      ...scheduleRunEvents(await src.finishedRuns(since)),
      ...hostKeyEvents(await src.machineEvents('host_key.changed', since)),
      ...approvalEvents(await src.pendingRequests(since)),
      ...machineStateEvents(marks),
      ...(await this.unreachable(src)),
    ];
    let queued = 0;
    const listeners = new Map<string, Listener[]>();
    for (const c of candidates) queued += await this.record(c, await this.listenersOf(c.kind, listeners));
    await this.updateMarks(src, marks);
    await settings.set(CURSOR_KEY, now.toISOString(), 'notifications');
    return queued;
  }

  private async listenersOf(kind: string, cache: Map<string, Listener[]>): Promise<Listener[]> {
    const known = cache.get(kind);
    if (known) return known;
    const found = await new NotificationsRepository(this.db.prisma).listeners(kind);
    cache.set(kind, found);
    return found;
  }

  /** The event and its deliveries in one transaction; nothing when nobody listens or it was recorded before. */
  private async record(c: Candidate, listeners: Listener[]): Promise<number> {
    const to = listeners.filter(
      (l) => c.streak === undefined || (l.threshold ?? DEFAULT_UNREACHABLE_THRESHOLD) === c.streak,
    );
    if (!to.length) return 0;
    const { streak: _streak, ...event } = c;
    return this.db.transaction(async (tx) => {
      const eventId = await new NotificationsRepository(tx).insertEvent(event);
      if (!eventId) return 0;
      for (const l of to) await this.deliveries.enqueue(tx, { eventId, channelId: l.channelId, isTest: false });
      return to.length;
    });
  }

  private async unreachable(src: NotificationSourcesRepository): Promise<Candidate[]> {
    const listeners = await new NotificationsRepository(this.db.prisma).listeners('machine_unreachable');
    const thresholds = [...new Set(listeners.map((l) => l.threshold ?? DEFAULT_UNREACHABLE_THRESHOLD))];
    if (!thresholds.length) return [];
    const rows = await src.lastJobErrors(Math.max(...thresholds));
    return thresholds.flatMap((t) => unreachableEvents(rows, t));
  }

  /** What was told is now the reference: a count that drops and rises again is told again. */
  private async updateMarks(src: NotificationSourcesRepository, marks: MachineMarkRow[]): Promise<void> {
    for (const m of marks) {
      if (m.markedSecurity === m.securityCount && m.markedReboot === m.rebootRequired) continue;
      await src.setMark(m.machineId, { securityCount: m.securityCount, rebootRequired: m.rebootRequired });
    }
  }
}
