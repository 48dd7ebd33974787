import { Inject, Injectable } from '@nestjs/common';
import type { JobResult } from '@su/contracts';
import {
  Database,
  DockerSettingsRepository,
  DockerStacksRepository,
  MachineEventsRepository,
  MachineInventoryRepository,
  MachineStateRepository,
  type CheckTarget,
} from '@su/db';
import type { JobContext, JobHandler } from '@su/platform';
import { RegistryDigests, type DigestAnswer, type VersionAnswer } from './registry-digests.ts';

/** One service's verdict: its running digest against the registry's for its reference. */
export interface ServiceVerdict {
  status: 'up_to_date' | 'updates_available' | 'error';
  reason: string | null;
  candidateDigest: string | null;
}

export function verdictOf(t: Pick<CheckTarget, 'currentDigest'>, a: DigestAnswer | undefined): ServiceVerdict {
  if (!a) return { status: 'error', reason: 'not checked', candidateDigest: null };
  if (a.status === 'error')
    return { status: 'error', reason: `${a.error.kind}: ${a.error.message}`, candidateDigest: null };
  if (a.status === 'pinned') return { status: 'up_to_date', reason: 'pinned by digest', candidateDigest: a.digest };
  if (!t.currentDigest)
    return {
      status: 'error',
      reason: 'the running image has no digest from this registry (built locally, or never pulled): scan after a pull',
      candidateDigest: a.digest,
    };
  return {
    status: t.currentDigest === a.digest ? 'up_to_date' : 'updates_available',
    reason: null,
    candidateDigest: a.digest,
  };
}

/**
 * docker.check: is there an update, without pulling. Asks the registries centrally (never the machines) for every
 * unique image reference of the machine, or of the whole fleet when the job names no machine: one request per
 * reference, whatever the number of machines and services using it. Writes each service's verdict and the tiles.
 */
@Injectable()
export class DockerCheckHandler implements JobHandler<'docker.check'> {
  readonly kind = 'docker.check' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RegistryDigests) private readonly registries: RegistryDigests,
  ) {}

  async handle(ctx: JobContext<'docker.check'>): Promise<JobResult<'docker.check'>> {
    const { machineId, jobId } = ctx.message;
    const targets = await new DockerStacksRepository(this.db.prisma).checkTargets(machineId);
    const refs = [...new Set(targets.map((t) => t.imageRef))];
    const run = await this.registries.startRun();
    const digests = new Map((await run.checkDigests(refs)).map((a) => [a.reference, a]));
    const versions = new Map((await run.checkNewerVersions(refs)).map((v) => [v.reference, v]));
    const at = new Date();
    const verdicts = targets.map((t) => ({ t, v: verdictOf(t, digests.get(t.imageRef)), n: versions.get(t.imageRef) }));
    const machines = [...new Set(targets.map((t) => t.machineId).concat(machineId ? [machineId] : []))];
    await this.db.transaction(async (tx) => {
      const stacks = new DockerStacksRepository(tx);
      for (const { t, v, n } of verdicts) await stacks.recordCheck(t.serviceId, { ...v, ...newer(n) }, at);
      await new DockerSettingsRepository(tx).markChecked(machines, at);
      for (const m of machines) {
        const mine = verdicts.filter((x) => x.t.machineId === m);
        const counts = await stacks.counts(m);
        const errors = mine.filter((x) => x.v.status === 'error');
        const status = errors.length ? 'warning' : counts.updates ? 'updates_available' : 'ok';
        await new MachineStateRepository(tx).recordDocker(m, { ...counts, status, checkedAt: at });
        await new MachineInventoryRepository(tx).insertSnapshot({
          machineId: m,
          kind: 'docker_check',
          status,
          payload: {
            schemaVersion: 1,
            kind: 'docker_check',
            checkedAt: at.toISOString(),
            services: mine.map(({ t, v, n }) => ({
              stack: t.stackName,
              serviceName: t.serviceName,
              image: t.imageRef,
              currentDigest: t.currentDigest,
              candidateDigest: v.candidateDigest,
              status: v.status,
              reason: v.reason,
              ...newer(n),
            })),
          },
          importantJson: { status, updates: counts.updates, errors: errors.length },
          sourceJobId: jobId,
        });
        await new MachineEventsRepository(tx).insert({
          machineId: m,
          eventType: 'docker.checked',
          severity: errors.length ? 'warning' : 'info',
          actor: { type: 'system', id: `job:${jobId}` },
          jobId,
          message: `${counts.updates} service(s) with an update, ${errors.length} not checked`,
        });
      }
    });
    return {
      references: refs.length,
      updates: verdicts.filter((x) => x.v.status === 'updates_available').length,
      errors: verdicts.filter((x) => x.v.status === 'error').length,
      requests: run.stats(),
    };
  }
}

function newer(n: VersionAnswer | undefined): { newerSameMajor?: string | null; newerOverall?: string | null } {
  if (!n || n.status === 'error') return {};
  if (n.status === 'not_versioned') return { newerSameMajor: null, newerOverall: null };
  return { newerSameMajor: n.sameMajor, newerOverall: n.newest };
}
