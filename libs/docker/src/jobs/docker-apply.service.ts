import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { dockerPlannedChange, planDrift, type ApprovedPlan, type DockerExecutionResult } from '@su/contracts';
import {
  Database,
  DockerImageEventsRepository,
  DockerStacksRepository,
  ExecutionsRepository,
  ImportantMessagesRepository,
  MachineEventsRepository,
  MachineStateRepository,
  RawArtifactsRepository,
  type NewDockerImageEvent,
} from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, ClassifiedError, ReportWriter } from '@su/platform';
import { dockerApplyPlan } from '@su/runs';
import type { RawLogResult } from '@su/ssh';
import type { DockerFailure } from '../docker-failure.classifier.ts';
import { renderDockerReport } from './docker-report.renderer.ts';
import { openDockerSession } from './docker-session.ts';
import { StackApply, type ApplyTarget, type DockerApplyRequest } from './stack-apply.ts';
import { RegistryDigests } from './registry-digests.ts';

/**
 * docker.apply: for one stack (or every enabled one), the services the latest check found an update for (or the
 * chosen ones): keep a reference to the running image, pull, `up -d` the services whose image changed, wait until
 * they run (and are healthy, when they have a health check), roll back to the previous image when asked, and record
 * from/to image id and digest per service. An approved request is bound to the digests seen at check time: the
 * registry is asked again first, and a moved digest ends `plan_drifted` with nothing changed.
 */
@Injectable()
export class DockerApplyService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ReportWriter) private readonly reports: ReportWriter,
    @Inject(RegistryDigests) private readonly registries: RegistryDigests,
  ) {}

  async apply(p: DockerApplyRequest) {
    const { machineId, jobId } = p;
    const targets = await this.targets(p);
    const startedAt = new Date().toISOString();
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action: 'docker_apply',
      mode: 'manual',
      jobId,
      requestId: p.approvedPlan?.requestId ?? null,
    });
    const drift = p.approvedPlan ? await this.drift(p.approvedPlan, targets) : null;
    const result: DockerExecutionResult = {
      pull: { changes: [] },
      up: { recreated: [], running: [], exited: [], unhealthy: [] },
      rollback: { asked: p.rollback ?? false, done: false, services: [] },
      importantLines: [],
    };
    let failure: DockerFailure | null = drift
      ? {
          errorKind: 'plan_drifted',
          message: `nothing was applied: ${drift}`,
          remediation: 'The registry has other images than the ones approved. Check again and make a new request.',
        }
      : null;
    const events: NewDockerImageEvent[] = [];
    const ran =
      !failure && targets.length
        ? await this.onMachine(p, targets, result, events, executionId)
        : { failure: null, machineName: machineId, raw: null };
    failure ??= ran.failure;
    const { machineName, raw } = ran;
    const status = failure ? 'error' : 'ok';
    await this.record({ p, executionId, machineName, raw, result, events, failure, drift, startedAt, status });
    if (failure) throw new ClassifiedError(failure.errorKind, failure.message, failure.remediation);
    return { executionId, status, recreated: result.up?.recreated ?? [], rolledBack: result.rollback?.done ?? false };
  }

  /** The apply's end in one transaction: execution, report, image events, services, tile, timeline. */
  private async record(x: {
    p: DockerApplyRequest;
    executionId: string;
    machineName: string;
    raw: RawLogResult | null;
    result: DockerExecutionResult;
    events: NewDockerImageEvent[];
    failure: DockerFailure | null;
    drift: string | null;
    startedAt: string;
    status: 'ok' | 'error';
  }): Promise<void> {
    const { p, executionId, machineName, raw, result, events, failure, drift, startedAt, status } = x;
    const { machineId, jobId } = p;
    const actor = { type: 'system' as const, id: `job:${jobId}` };
    const finishedAt = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      const rawArtifactId = await new RawArtifactsRepository(tx).insertRawLog(machineId, jobId, raw);
      const reportId = await this.reports.write(tx, {
        machineId,
        executionId,
        kind: 'machine',
        title: `docker_apply-${machineName}-${startedAt.slice(0, 19)}`,
        markdown: renderDockerReport({
          machineName,
          action: 'docker_apply',
          status,
          startedAt,
          finishedAt,
          result,
          failure,
        }),
        summary: { status, recreated: result.up?.recreated.length ?? 0, rolledBack: result.rollback?.done ?? false },
      });
      await new ExecutionsRepository(tx).finish(executionId, {
        status,
        result: {
          schemaVersion: 1,
          action: 'docker_apply',
          executionId,
          machineId,
          startedAt,
          finishedAt,
          status,
          docker: result,
        } as object,
        importantJson: {
          status,
          recreated: result.up?.recreated ?? [],
          rolledBack: result.rollback?.done ? result.rollback.services : [],
          errors: failure ? [failure.errorKind] : [],
        },
        errorKind: failure?.errorKind ?? null,
        errorMessage: failure?.message ?? null,
        rawArtifactId,
        reportId,
      });
      await new DockerImageEventsRepository(tx).insertMany(events);
      const stacks = new DockerStacksRepository(tx);
      const now = new Date();
      for (const e of events.filter((x) => x.operation === 'recreated' || x.operation === 'rolled_back'))
        if (e.stackId && e.serviceName && e.imageRef)
          await stacks.recordApplied(
            e.stackId,
            e.serviceName,
            { imageRef: e.imageRef, imageId: e.toImageId, digest: e.toDigest },
            now,
          );
      await new MachineStateRepository(tx).recordDocker(machineId, await stacks.counts(machineId));
      if (drift)
        await new ImportantMessagesRepository(tx).upsert({
          machineId,
          source: 'docker',
          category: 'plan_drifted',
          severity: 'warning',
          message: `The approved docker_apply was not applied: ${drift}. Check again and make a new request.`,
          dedupKey: `plan_drifted:${p.approvedPlan?.requestId ?? jobId}`,
          executionId,
          rawLineRef: null,
        });
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: drift ? 'docker.plan_drifted' : failure ? 'docker.apply_failed' : 'docker.applied',
        severity: failure ? 'error' : 'info',
        actor,
        jobId,
        message: failure
          ? `docker_apply failed: ${failure.errorKind}: ${failure.message}`
          : `docker_apply: ${result.up?.recreated.length ?? 0} service(s) recreated`,
        payload: { executionId, ...(p.approvedPlan ? { requestId: p.approvedPlan.requestId } : {}) },
      });
    });
  }

  /** Each stack's apply over the job's one connection; the first stack that fails stops the rest. */
  private async onMachine(
    p: DockerApplyRequest,
    targets: ApplyTarget[],
    result: DockerExecutionResult,
    events: NewDockerImageEvent[],
    executionId: string,
  ): Promise<{ failure: DockerFailure | null; machineName: string; raw: RawLogResult | null }> {
    const s = await openDockerSession(this.connector, this.config, p.machineId, p.jobId, 'docker.apply', p.signal);
    let failure: DockerFailure | null = null;
    let raw: RawLogResult | null = null;
    try {
      for (const stack of [...new Map(targets.map((t) => [t.stack.id, t.stack])).values()]) {
        const mine = targets.filter((t) => t.stack.id === stack.id);
        failure = await new StackApply(s, stack, mine, p, result, events, executionId, p.machineId).run();
        if (failure) break;
      }
    } finally {
      raw = await s.opened.release();
    }
    return { failure, machineName: s.opened.machine.name, raw };
  }

  /** The services this apply moves, derived as its request's plan was (libs/runs dockerApplyPlan). */
  private async targets(p: DockerApplyRequest): Promise<ApplyTarget[]> {
    const plan = await dockerApplyPlan(this.db.prisma, p.machineId, p);
    if (plan.kind === 'refused')
      throw new ClassifiedError(plan.errorKind, plan.reason, 'Scan the machine again and check its stacks.');
    return plan.targets;
  }

  /** Asks the registry again (past the cache) and compares with what was approved. */
  private async drift(approved: ApprovedPlan, targets: ApplyTarget[]): Promise<string | null> {
    const run = await this.registries.startRun();
    const answers = new Map(
      (await run.checkDigests([...new Set(targets.map((t) => t.toRef))], { bypassCache: true })).map((a) => [
        a.reference,
        a,
      ]),
    );
    const now = targets.map((t) => {
      const a = answers.get(t.toRef);
      return dockerPlannedChange({
        stack: t.stack.name,
        service: t.service,
        imageRef: t.toRef,
        digest: a && a.status !== 'error' ? a.digest : null,
      });
    });
    return planDrift(approved, now);
  }
}
