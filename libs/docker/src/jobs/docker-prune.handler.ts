import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { Actor, DockerExecutionResult, JobResult } from '@su/contracts';
import {
  Database,
  DockerImageEventsRepository,
  DockerSettingsRepository,
  ExecutionsRepository,
  MachineEventsRepository,
  RawArtifactsRepository,
} from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, ClassifiedError, machineJob, ReportWriter, type JobContext, type JobHandler } from '@su/platform';
import type { CommandResult, RawLogResult } from '@su/ssh';
import { composeErrorMessage } from '../compose-config.parser.ts';
import { pruneArgv } from '../docker-commands.ts';
import { classifyDockerFailure, unexpectedOutput, type DockerFailure } from '../docker-failure.classifier.ts';
import { parsePruneOutput } from '../prune-output.parser.ts';
import { renderDockerReport } from './docker-report.renderer.ts';
import { openDockerSession } from './docker-session.ts';

/** docker.prune: dangling images (`safe`) or every unused image (`aggressive`), with the bytes Docker reports. */
@Injectable()
export class DockerPruneHandler implements JobHandler<'docker.prune'> {
  readonly kind = 'docker.prune' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ReportWriter) private readonly reports: ReportWriter,
  ) {}

  async handle(ctx: JobContext<'docker.prune'>): Promise<JobResult<'docker.prune'>> {
    const { machineId, jobId, actor } = machineJob(ctx);
    const mode =
      ctx.message.payload.mode ??
      ((await new DockerSettingsRepository(this.db.prisma).get(machineId)).pruneMode === 'aggressive'
        ? 'aggressive'
        : 'safe');
    const startedAt = new Date().toISOString();
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action: 'docker_prune',
      mode: 'manual',
      jobId,
      requestId: null,
    });
    const s = await openDockerSession(this.connector, this.config, machineId, jobId, 'docker.prune', ctx.signal);
    let raw: RawLogResult | null = null;
    let out;
    try {
      out = await s.docker(pruneArgv(mode));
    } finally {
      raw = await s.opened.release();
    }
    const parsed = out.exitCode === 0 ? parsePruneOutput(out.stdout) : null;
    const failure = parsed
      ? null
      : (classifyDockerFailure(out.exitCode, out.stdout, out.stderr) ??
        unexpectedOutput('docker image prune', composeErrorMessage(out.stderr, out.stdout)));
    const status = failure ? 'error' : 'ok';
    const result: DockerExecutionResult = {
      prune: { mode, imagesDeleted: parsed?.imagesDeleted ?? [], bytesReclaimed: parsed?.bytesReclaimed ?? 0 },
      importantLines: out.stdout.split('\n').filter((l) => /^Total reclaimed space/.test(l)),
    };
    await this.record({
      machineId,
      jobId,
      actor,
      executionId,
      machineName: s.opened.machine.name,
      mode,
      startedAt,
      raw,
      out,
      parsed,
      failure,
      result,
      status,
    });
    if (failure) throw new ClassifiedError(failure.errorKind, failure.message, failure.remediation);
    return { executionId, status, bytesReclaimed: result.prune?.bytesReclaimed ?? 0 };
  }

  /** The prune's end in one transaction: execution, report, image event, timeline. */
  private async record(x: {
    machineId: string;
    jobId: string;
    actor: Actor;
    executionId: string;
    machineName: string;
    mode: string;
    startedAt: string;
    raw: RawLogResult | null;
    out: CommandResult;
    parsed: ReturnType<typeof parsePruneOutput>;
    failure: DockerFailure | null;
    result: DockerExecutionResult;
    status: 'ok' | 'error';
  }): Promise<void> {
    const { machineId, jobId, actor, executionId, mode, startedAt, raw, out, parsed, failure, result, status } = x;
    const finishedAt = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      const rawArtifactId = await new RawArtifactsRepository(tx).insertRawLog(machineId, jobId, raw);
      const reportId = await this.reports.write(tx, {
        machineId,
        executionId,
        kind: 'machine',
        title: `docker_prune-${x.machineName}-${startedAt.slice(0, 19)}`,
        markdown: renderDockerReport({
          machineName: x.machineName,
          action: `docker_prune (${mode})`,
          status,
          startedAt,
          finishedAt,
          result,
          failure,
        }),
        summary: { status, bytesReclaimed: result.prune?.bytesReclaimed ?? 0 },
      });
      await new ExecutionsRepository(tx).finish(executionId, {
        status,
        result: {
          schemaVersion: 1,
          action: 'docker_prune',
          executionId,
          machineId,
          startedAt,
          finishedAt,
          status,
          docker: result,
        } as object,
        importantJson: { status, bytesReclaimed: result.prune?.bytesReclaimed ?? 0 },
        exitCode: out.exitCode,
        errorKind: failure?.errorKind ?? null,
        errorMessage: failure?.message ?? null,
        rawArtifactId,
        reportId,
      });
      if (parsed)
        await new DockerImageEventsRepository(tx).insertMany([
          {
            executionId,
            machineId,
            stackId: null,
            serviceName: null,
            imageRef: null,
            fromImageId: null,
            toImageId: null,
            fromDigest: null,
            toDigest: null,
            operation: 'pruned',
            bytesReclaimed: parsed.bytesReclaimed,
          },
        ]);
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: failure ? 'docker.prune_failed' : 'docker.pruned',
        severity: failure ? 'error' : 'info',
        actor,
        jobId,
        message: failure
          ? `docker prune failed: ${failure.errorKind}`
          : `docker prune (${mode}): ${parsed?.imagesDeleted.length ?? 0} image layer(s), ${parsed?.bytesReclaimed ?? 0} bytes reclaimed`,
        payload: { executionId },
      });
    });
  }
}
