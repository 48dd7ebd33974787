import type { MachineView } from '../api/types.ts';

interface RebootExecution {
  action: string;
  status: string;
  result: { reboot?: { sshCameBackAt: string | null; afterBootId: string | null } } | null;
}

/**
 * When the machine last booted: from the probe's uptime, or the latest verified reboot's return when that is later (a
 * container shares its host's uptime, so only the reboot we watched tells its own boot).
 */
export function lastBoot(m: MachineView, executions: RebootExecution[]): { at: Date; bootId: string | null } | null {
  const fromUptime =
    m.metrics?.uptimeSeconds != null
      ? { at: new Date(Date.parse(m.metrics.collectedAt) - m.metrics.uptimeSeconds * 1000), bootId: m.metrics.bootId }
      : null;
  const reboot = executions.find(
    (e) => e.action === 'reboot_verified' && e.status === 'ok' && e.result?.reboot?.sshCameBackAt,
  );
  const back = reboot?.result?.reboot;
  const fromReboot = back?.sshCameBackAt ? { at: new Date(back.sshCameBackAt), bootId: back.afterBootId } : null;
  if (!fromReboot) return fromUptime;
  if (!fromUptime) return fromReboot;
  return fromReboot.at > fromUptime.at ? fromReboot : fromUptime;
}
