import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { Actor, JobResult } from '@su/contracts';
import {
  Database,
  ExecutionsRepository,
  ImportantMessagesRepository,
  InstallProfilesRepository,
  ProfileStateRepository,
  type Prisma,
  type Tx,
} from '@su/db';
import { MachineConnector, openJobConnection } from '@su/machine-access';
import {
  APP_CONFIG,
  ClassifiedError,
  JobOutcomeRecorder,
  machineJob,
  type JobContext,
  type JobHandler,
} from '@su/platform';
import { SshError, type RawLogResult } from '@su/ssh';
import { RecipeRenderService, type RecipeRender } from '../recipe-render.service.ts';
import { renderPostInstallReport } from './post-install-report.renderer.ts';
import { importantLines, runRecipe, type RecipeRunOutcome } from './recipe-run.ts';

type Failure = { errorKind: string; message: string };

/**
 * post_install.run: renders the recipe (presets, then the request's values; secret values from the encrypted
 * presets), runs its check and then its script on the machine, and records the execution (with the exact stored
 * script of the version it ran), its report, important messages and the machine's profile state.
 */
@Injectable()
export class PostInstallRunHandler implements JobHandler<'post_install.run'> {
  readonly kind = 'post_install.run' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RecipeRenderService) private readonly renderer: RecipeRenderService,
    @Inject(JobOutcomeRecorder) private readonly outcomes: JobOutcomeRecorder,
  ) {}

  async handle(ctx: JobContext<'post_install.run'>): Promise<JobResult<'post_install.run'>> {
    const { machineId, jobId, actor } = machineJob(ctx);
    const { recipeId, versionId, variables } = ctx.message.payload;
    const render = await this.renderer.render({ recipeId, machineId, versionId, variables }).catch((e: unknown) => {
      // The request was checked when it was made; a recipe or preset changed since (or was removed).
      if (e instanceof HttpException) throw new ClassifiedError('invalid_payload', e.message);
      throw e;
    });
    const opened = await openJobConnection(this.connector, this.config.dataDir, {
      machineId,
      jobId,
      purpose: 'post_install',
    });
    const startedAt = new Date().toISOString();
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action: 'post_install',
      mode: 'manual',
      jobId,
      requestId: null,
    });
    let outcome: RecipeRunOutcome | null = null;
    let failure: Failure | null = null;
    let raw: RawLogResult | null = null;
    try {
      outcome = await runRecipe(opened.session, render, ctx.signal);
      if (outcome.status === 'error')
        failure = { errorKind: 'script_failed', message: `the script exited with status ${outcome.exitCode}` };
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      failure = { errorKind: e.errorKind, message: e.message };
    } finally {
      raw = await opened.release();
    }
    const status = failure ? 'error' : (outcome?.status ?? 'error');
    await this.db.transaction((tx) =>
      this.record(tx, {
        machineId,
        jobId,
        actor,
        executionId,
        machineName: opened.machine.name,
        render,
        outcome,
        failure,
        raw,
        startedAt,
      }),
    );
    if (failure) throw new ClassifiedError(failure.errorKind, failure.message);
    return { executionId, status, version: render.version };
  }

  private async record(
    tx: Tx,
    x: {
      machineId: string;
      jobId: string;
      actor: Actor;
      executionId: string;
      machineName: string;
      render: RecipeRender;
      outcome: RecipeRunOutcome | null;
      failure: Failure | null;
      raw: RawLogResult | null;
      startedAt: string;
    },
  ): Promise<void> {
    const { machineId, executionId, render, outcome, failure } = x;
    const status = failure ? 'error' : (outcome?.status ?? 'error');
    const finishedAt = new Date().toISOString();
    const repo = new InstallProfilesRepository(tx);
    const [profile, recipe] = await Promise.all([repo.findProfile(render.profileId), repo.findRecipe(render.recipeId)]);
    const shown = render.variables.map(({ name, source, secret, value }) => ({ name, source, secret, value }));
    const postInstall = {
      profileId: render.profileId,
      recipeId: render.recipeId,
      recipeVersionId: render.recipeVersionId,
      version: render.version,
      sha256: render.sha256,
      script: render.script,
      check: render.check,
      sudo: render.sudo,
      variables: shown,
      alreadyApplied: outcome?.status === 'already_applied',
      checkExitCode: outcome?.checkExitCode ?? null,
      exitCode: outcome?.exitCode ?? null,
      outputTail: outcome?.outputTail ?? [],
    };
    const markdown = reportMarkdown(
      x,
      profile?.label ?? render.profileId,
      recipe?.label ?? render.recipeId,
      finishedAt,
    );
    await this.outcomes.record(
      tx,
      {
        machineId,
        jobId: x.jobId,
        executionId,
        actor: x.actor,
        rawLog: x.raw,
        report: {
          title: `post_install-${recipe?.label ?? 'recipe'}-v${render.version}-${x.machineName}-${x.startedAt.slice(0, 19)}`,
          markdown,
          summary: { status, version: render.version, sha256: render.sha256 },
        },
        execution: {
          status: status === 'already_applied' ? 'ok' : status,
          result: {
            schemaVersion: 1,
            action: 'post_install',
            executionId,
            machineId,
            startedAt: x.startedAt,
            finishedAt,
            status,
            postInstall,
          },
          importantJson: { status, version: render.version, alreadyApplied: postInstall.alreadyApplied },
          exitCode: outcome?.exitCode ?? null,
          errorKind: failure?.errorKind ?? null,
          errorMessage: failure?.message ?? null,
        },
        event: {
          eventType: failure ? 'post_install.failed' : 'post_install.ran',
          severity: failure ? 'error' : 'info',
          message: `${profile?.label ?? 'profile'} / ${recipe?.label ?? 'recipe'} v${render.version}: ${failure ? `failed (${failure.errorKind})` : status === 'already_applied' ? 'already applied' : 'applied'}`,
          payload: { executionId, recipeVersionId: render.recipeVersionId, version: render.version },
        },
      },
      async () => {
        await new ProfileStateRepository(tx).record({
          machineId,
          profileId: render.profileId,
          status,
          recipeVersionId: render.recipeVersionId,
          version: render.version,
          lastExecutionId: executionId,
          variables: Object.fromEntries(
            shown.filter((v) => !v.secret).map((v) => [v.name, v.value ?? null]),
          ) as Prisma.InputJsonValue,
        });
        await this.messages(tx, machineId, executionId, render, outcome, failure);
      },
    );
  }

  /** Important messages: the failure, and the warning/error lines the output showed. */
  private async messages(
    tx: Tx,
    machineId: string,
    executionId: string,
    render: RecipeRender,
    outcome: RecipeRunOutcome | null,
    failure: Failure | null,
  ): Promise<void> {
    const repo = new ImportantMessagesRepository(tx);
    const base = { machineId, source: 'post_install' as const, executionId };
    if (failure)
      await repo.upsert({
        ...base,
        category: 'post_install_failed',
        severity: 'error',
        message: `post-install recipe v${render.version} failed: ${failure.message}`,
        dedupKey: `post_install:${render.recipeId}:failed`,
      });
    for (const { severity, line } of importantLines(outcome?.outputTail ?? []))
      await repo.upsert({
        ...base,
        category: 'post_install_output',
        severity,
        message: line.slice(0, 500),
        dedupKey: `post_install:${render.recipeId}:${line.slice(0, 200)}`,
      });
  }
}

/** The run's report, from the render's shown fields only (never its in-memory secret values). */
function reportMarkdown(
  x: {
    machineName: string;
    render: RecipeRender;
    outcome: RecipeRunOutcome | null;
    failure: Failure | null;
    startedAt: string;
  },
  profileLabel: string,
  recipeLabel: string,
  finishedAt: string,
): string {
  const { version, sha256, script, check, variables } = x.render;
  return renderPostInstallReport({
    machineName: x.machineName,
    profileLabel,
    recipeLabel,
    version,
    sha256,
    script,
    check,
    variables,
    outcome: x.outcome,
    failure: x.failure,
    startedAt: x.startedAt,
    finishedAt,
  });
}
