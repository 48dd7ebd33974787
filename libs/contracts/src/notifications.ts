/**
 * Notifications (issue 16, ADR 0035): the events a rule may name, the channel kinds, and what the API shows. A
 * persisted contract (rows store these names): add, never rename.
 */
export const NOTIFICATION_EVENTS = [
  'schedule_run_finished',
  'schedule_run_failed',
  'security_updates',
  'host_key_changed',
  'machine_unreachable',
  'approval_waiting',
  'reboot_required',
] as const;
export type NotificationEventKind = (typeof NOTIFICATION_EVENTS)[number];

export const CHANNEL_KINDS = ['ntfy', 'gotify', 'discord', 'slack', 'telegram', 'webhook', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const DELIVERY_STATUSES = ['queued', 'retrying', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a schedule's `notifyOn` may hold: tell when a run ends ok/partial, when it ends in error, or both. */
export const SCHEDULE_NOTIFY_ON = ['finished', 'failed'] as const;
export type ScheduleNotifyOn = (typeof SCHEDULE_NOTIFY_ON)[number];

/** A failed check in a row counts towards "unreachable" when the job ended with one of these kinds. */
export const UNREACHABLE_ERROR_KINDS = ['unreachable', 'connection_refused', 'timeout'] as const;

/** The message every channel formats: plain text, never a secret (built from names, counts and ids). */
export interface NotificationMessage {
  kind: NotificationEventKind | 'test';
  title: string;
  body: string;
  severity: 'info' | 'warning' | 'error';
  machineId: string | null;
  /** When it happened (ISO 8601). */
  at: string;
}

export interface NotificationChannelView {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  /** The non-secret settings (URL, topic, chat id, SMTP host, recipients). */
  config: Record<string, unknown>;
  /** Which secrets are stored, by name only. */
  secretsSet: string[];
  rules: { id: string; event: NotificationEventKind; enabled: boolean; threshold: number | null }[];
  createdAt: string;
  updatedAt: string;
}

export interface NotificationDeliveryView {
  id: string;
  channelId: string;
  eventId: string | null;
  eventKind: string;
  title: string;
  isTest: boolean;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}
