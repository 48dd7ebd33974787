import {
  describePackageChange,
  planHash,
  plannedChangeOf,
  type PlannedChange,
  type ResolvedMaintenanceOptions,
} from '@su/contracts';
import { MachineStateRepository, type DbClient } from '@su/db';
import { planOfLatestAnalysis } from '../analysis-plan.ts';
import { dockerApplyPlan } from '../docker-plan.ts';

/**
 * A maintenance run's plan (ADR 0031): the package changes of the machine's latest APT analysis and the image
 * changes of its latest registry check (every enabled stack), under one hash. A request is bound to it; the run
 * derives it again from its own fresh analysis and check and ends plan_drifted when the hash differs.
 */
export interface MaintenancePlan {
  apt: PlannedChange[];
  docker: PlannedChange[];
  /** One line per change, for people (request summary, report). */
  aptLines: string[];
  dockerLines: string[];
  /** The analysis predicts a reboot after the upgrade (or one is already required). Not hashed: a forecast. */
  rebootPredicted: boolean;
  changes: PlannedChange[];
  hash: string;
  snapshotId: string | null;
  analysedAt: string | null;
  /** Why a part has no usable plan (no analysis, a stack in error, a service never checked). */
  problems: string[];
}

export async function maintenancePlanOf(
  db: DbClient,
  machineId: string,
  o: ResolvedMaintenanceOptions,
): Promise<MaintenancePlan> {
  const problems: string[] = [];
  const plan: MaintenancePlan = {
    apt: [],
    docker: [],
    aptLines: [],
    dockerLines: [],
    rebootPredicted: false,
    changes: [],
    hash: '',
    snapshotId: null,
    analysedAt: null,
    problems,
  };
  if (o.apt !== 'none') {
    const a = await planOfLatestAnalysis(db, machineId, o.apt === 'dist_upgrade' ? 'apt_dist_upgrade' : 'apt_upgrade');
    if (a.kind === 'none') problems.push('no APT analysis on record: analyse first (apt_update_analyze)');
    else if (a.kind === 'unusable') problems.push(`the latest APT analysis (${a.analysedAt}) ended in error`);
    else {
      Object.assign(plan, { snapshotId: a.snapshotId, analysedAt: a.analysedAt });
      plan.apt = a.packages.map(plannedChangeOf);
      plan.aptLines = a.packages.map(describePackageChange);
    }
    const outlook = await new MachineStateRepository(db).rebootOutlook(machineId);
    plan.rebootPredicted = outlook.required || (plan.apt.length > 0 && outlook.afterApply);
  }
  if (o.docker) {
    const d = await dockerApplyPlan(db, machineId, {});
    if (d.kind === 'refused') problems.push(`Docker: ${d.reason}`);
    else {
      const unchecked = d.targets.filter((t) => !t.candidateDigest).map((t) => `${t.stack.name}/${t.service}`);
      if (unchecked.length) problems.push(`Docker: not checked yet: ${unchecked.join(', ')}`);
      plan.docker = d.changes;
      plan.dockerLines = d.targets.map((t) => `${t.stack.name}/${t.service} → ${t.toRef}@${t.candidateDigest ?? '?'}`);
    }
  }
  plan.changes = [...plan.apt, ...plan.docker];
  plan.hash = planHash(plan.changes);
  return plan;
}
