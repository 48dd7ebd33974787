import { dockerPlannedChange, type DockerStackView, type PlannedChange } from '@su/contracts';
import { DockerStacksRepository, type DbClient } from '@su/db';

/** One service a docker_apply moves: its reference now and after, and the registry digest the last check saw. */
export interface DockerApplyTarget {
  stack: DockerStackView;
  service: string;
  fromRef: string;
  toRef: string;
  candidateDigest: string | null;
}

export interface DockerApplyOptions {
  stackId?: string | undefined;
  services?: string[] | undefined;
  tag?: string | undefined;
}

export type DockerApplyPlan =
  | { kind: 'refused'; errorKind: 'stack_not_found' | 'compose_failed' | 'invalid_payload'; reason: string }
  | { kind: 'plan'; targets: DockerApplyTarget[]; changes: PlannedChange[] };

/** The same reference with another tag (`a/b:1.0` → `a/b:1.1`). */
export function refWithTag(ref: string, tag: string): string {
  const n = ref.split('@')[0] ?? ref;
  const colon = n.lastIndexOf(':');
  return `${colon > n.lastIndexOf('/') ? n.slice(0, colon) : n}:${tag}`;
}

function targetsOf(stack: DockerStackView, o: DockerApplyOptions): DockerApplyTarget[] | string {
  const chosen = o.services ?? stack.services.filter((s) => s.status === 'updates_available').map((s) => s.serviceName);
  const out: DockerApplyTarget[] = [];
  for (const name of chosen) {
    const svc = stack.services.find((s) => s.serviceName === name);
    if (!svc?.imageRef) return `stack ${stack.name} has no service ${name} with an image`;
    out.push({
      stack,
      service: name,
      fromRef: svc.imageRef,
      toRef: o.tag ? refWithTag(svc.imageRef, o.tag) : svc.imageRef,
      candidateDigest: o.tag ? null : svc.candidateDigest,
    });
  }
  return out;
}

/**
 * What a docker_apply would move, the one derivation used by a person's request (the plan they approve) and by the
 * docker-worker just before applying: of one stack (or every enabled one), the chosen services or those the latest
 * check found an update for, each with the registry digest that check saw. The worker asks the registry again and
 * compares (plan_drifted when a digest moved).
 */
export async function dockerApplyPlan(
  db: DbClient,
  machineId: string,
  o: DockerApplyOptions,
): Promise<DockerApplyPlan> {
  const repo = new DockerStacksRepository(db);
  const one = o.stackId ? await repo.find(machineId, o.stackId) : null;
  if (o.stackId && !one)
    return { kind: 'refused', errorKind: 'stack_not_found', reason: `stack ${o.stackId} is not known on this machine` };
  const stacks = one ? [one] : (await repo.list(machineId)).filter((s) => s.status === 'enabled');
  const targets: DockerApplyTarget[] = [];
  for (const stack of stacks) {
    if (stack.status === 'error')
      return {
        kind: 'refused',
        errorKind: 'compose_failed',
        reason: `stack ${stack.name} is in error: ${stack.error ?? ''}`,
      };
    const mine = targetsOf(stack, o);
    if (typeof mine === 'string') return { kind: 'refused', errorKind: 'invalid_payload', reason: mine };
    targets.push(...mine);
  }
  const changes = targets.map((t) =>
    dockerPlannedChange({ stack: t.stack.name, service: t.service, imageRef: t.toRef, digest: t.candidateDigest }),
  );
  return { kind: 'plan', targets, changes };
}
