import { describePackageChange, type MachineAction } from '@su/contracts';

const SHOWN = 3;

/**
 * The one line a person reads first: the action, the machine and, for an APT apply, what it changes, e.g.
 * "apt_upgrade on web1: 3 packages (openssl 3.0.1 → 3.0.2, libssl3 3.0.1 → 3.0.2, curl 7.88.1 → 7.88.2)".
 */
export function defaultSummary(
  action: MachineAction,
  machineName: string,
  options: { packages?: string[] | undefined; maxWaitSeconds?: number | undefined },
  plan: { name: string; currentVersion: string | null; targetVersion: string | null; operation: string }[] | null,
): string {
  const head = `${action} on ${machineName}`;
  if (plan) {
    // A maintenance plan's lines are already worded (packages and images together).
    const shown = plan.slice(0, SHOWN).map((p) => (action === 'maintenance' ? p.name : describePackageChange(p)));
    const more = plan.length > SHOWN ? `, … ${plan.length - SHOWN} more` : '';
    const unit = action === 'docker_apply' ? 'service' : action === 'maintenance' ? 'change' : 'package';
    return `${head}: ${plan.length} ${unit}${plan.length === 1 ? '' : 's'} (${shown.join(', ')}${more})`;
  }
  if (options.maxWaitSeconds) return `${head} (down at most ${options.maxWaitSeconds} s)`;
  return head;
}
