import {
  UNREACHABLE_ERROR_KINDS,
  type NotificationEventKind,
} from '@su/contracts';
import type { FinishedRunRow, MachineFactRow, MachineMarkRow, NewNotificationEvent } from '@su/db';

// Pure rules that turn what the tables say into events worth telling. Each event has a dedup key naming the fact
// (a run, an event row, a count reached), so detecting it twice is harmless.

export interface Candidate extends NewNotificationEvent {
  kind: NotificationEventKind;
  /** machine_unreachable: the number of failed checks in a row it stands for. */
  streak?: number;
}

const machineLabel = (r: { machineName: string | null; machineId: string | null }) =>
  r.machineName ?? r.machineId ?? 'a machine';

/** A finished run, when its schedule's notify_on asks for that end (absent: failures only). */
export function scheduleRunEvents(runs: FinishedRunRow[]): Candidate[] {
  const out: Candidate[] = [];
  for (const r of runs) {
    const notifyOn = Array.isArray(r.notifyOn) ? (r.notifyOn as string[]) : ['failed'];
    const failed = r.status === 'error';
    if (!notifyOn.includes(failed ? 'failed' : 'finished')) continue;
    const kind = failed ? 'schedule_run_failed' : 'schedule_run_finished';
    out.push({
      kind,
      dedupKey: `${kind}:${r.id}`,
      machineId: null,
      title: `Schedule "${r.scheduleName}" ${failed ? 'failed' : `finished (${r.status})`}`,
      body:
        `Run of schedule "${r.scheduleName}" ended ${r.status}: ${r.machineCount} machine(s), ` +
        `${r.failedMachines} failed${r.reason ? ` (${r.reason})` : ''}.`,
      payload: { scheduleId: r.scheduleId, runId: r.id, status: r.status },
    });
  }
  return out;
}

export function hostKeyEvents(rows: MachineFactRow[]): Candidate[] {
  return rows.map((r) => ({
    kind: 'host_key_changed',
    dedupKey: `host_key_changed:${r.id}`,
    machineId: r.machineId,
    title: `Host key changed on ${machineLabel(r)}`,
    body: `${r.detail ?? 'The SSH host key changed.'} The machine is blocked until a person approves the new key.`,
    payload: { machineEventId: r.id },
  }));
}

export function approvalEvents(rows: MachineFactRow[]): Candidate[] {
  return rows.map((r) => ({
    kind: 'approval_waiting',
    dedupKey: `approval_waiting:${r.id}`,
    machineId: r.machineId,
    title: `Approval waiting for ${machineLabel(r)}`,
    body: `${r.detail ?? 'An action'} waits for a person's approval.`,
    payload: { requestId: r.id },
  }));
}

/** Security updates that grew since the last telling, and a reboot flag that turned on. */
export function machineStateEvents(rows: MachineMarkRow[]): Candidate[] {
  const out: Candidate[] = [];
  for (const r of rows) {
    if (r.securityCount > (r.markedSecurity ?? 0))
      out.push({
        kind: 'security_updates',
        dedupKey: `security_updates:${r.machineId}:${r.securityCount}:${Date.now()}`,
        machineId: r.machineId,
        title: `${r.securityCount} security update(s) on ${r.machineName}`,
        body: `${r.machineName} has ${r.securityCount} pending security update(s).`,
        payload: { securityCount: r.securityCount },
      });
    if (r.rebootRequired && !r.markedReboot)
      out.push({
        kind: 'reboot_required',
        dedupKey: `reboot_required:${r.machineId}:${Date.now()}`,
        machineId: r.machineId,
        title: `Reboot required on ${r.machineName}`,
        body: `${r.machineName} needs a reboot to finish its updates.`,
      });
  }
  return out;
}

/** The number of unreachable checks in a row at the head of `kinds` (newest first). */
export function unreachableStreak(kinds: (string | null)[]): number {
  let n = 0;
  for (const k of kinds) {
    if (!k || !(UNREACHABLE_ERROR_KINDS as readonly string[]).includes(k)) break;
    n++;
  }
  return n;
}

/**
 * A machine whose last `threshold` checks all failed unreachable: one event per outage and threshold, keyed by the
 * job that reached the count (the streak's threshold-th failure, counted from its start).
 */
export function unreachableEvents(
  rows: { machineId: string; machineName: string; kinds: (string | null)[]; jobIds: string[] }[],
  threshold: number,
): Candidate[] {
  const out: Candidate[] = [];
  for (const r of rows) {
    const streak = unreachableStreak(r.kinds);
    if (streak < threshold) continue;
    const reachedBy = r.jobIds[streak - threshold];
    out.push({
      kind: 'machine_unreachable',
      dedupKey: `machine_unreachable:${threshold}:${reachedBy}`,
      machineId: r.machineId,
      streak: threshold,
      title: `${r.machineName} unreachable`,
      body: `${r.machineName} could not be reached for its last ${streak} check(s).`,
      payload: { streak, threshold },
    });
  }
  return out;
}
