import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { Actor, JobResult } from '@su/contracts';
import {
  BootstrapStateRepository,
  Database,
  ExecutionsRepository,
  MachineEventsRepository,
  MachinesRepository,
  type Tx,
} from '@su/db';
import {
  encryptCredentials,
  HostKeyTrustService,
  MachineConnector,
  openJobConnection,
  type OpenedMachine,
} from '@su/machine-access';
import {
  APP_CONFIG,
  ClassifiedError,
  JobOutcomeRecorder,
  machineJob,
  type JobContext,
  type JobHandler,
} from '@su/platform';
import { SecretBox } from '@su/security';
import { generateEd25519KeyPair, SshError, SshSession, type RawLogResult } from '@su/ssh';
import { automationUserScript, sudoersDropIn } from './automation-user.script.ts';
import { renderBootstrapReport, type BootstrapStep } from './bootstrap-report.renderer.ts';
import { outputTail } from './recipe-run.ts';

export const DEFAULT_AUTOMATION_USER = 'su-automation';

type Failure = { errorKind: string; message: string };

/**
 * machine.bootstrap: from the machine's current login (a password one, typically), creates the automation user with a
 * fresh ed25519 key and a sudoers drop-in checked by `visudo -c`; then logs in again with that key over a second
 * connection and runs `sudo -n`. Only when both worked are the machine's credentials switched to the key (the password
 * is no longer stored); otherwise nothing is switched and the old login stays as it was.
 */
@Injectable()
export class BootstrapHandler implements JobHandler<'machine.bootstrap'> {
  readonly kind = 'machine.bootstrap' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(HostKeyTrustService) private readonly trust: HostKeyTrustService,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobOutcomeRecorder) private readonly outcomes: JobOutcomeRecorder,
  ) {}

  async handle(ctx: JobContext<'machine.bootstrap'>): Promise<JobResult<'machine.bootstrap'>> {
    const { machineId, jobId, actor } = machineJob(ctx);
    const user = ctx.message.payload.username ?? DEFAULT_AUTOMATION_USER;
    const disablePassword = ctx.message.payload.disablePassword ?? false;
    await new BootstrapStateRepository(this.db.prisma).record(machineId, {
      status: 'running',
      automationUser: user,
      errorMessage: null,
    });
    const opened = await openJobConnection(this.connector, this.config.dataDir, {
      machineId,
      jobId,
      purpose: 'bootstrap',
    });
    const startedAt = new Date().toISOString();
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action: 'bootstrap',
      mode: 'manual',
      jobId,
      requestId: null,
    });
    const key = generateEd25519KeyPair(`${user}@system-update`);
    const steps: BootstrapStep[] = [];
    let failure: Failure | null = null;
    let raw: RawLogResult | null = null;
    try {
      failure = await this.createUser(opened, user, key.publicKey, disablePassword, steps, ctx.signal);
      if (!failure) failure = await this.verify(opened, machineId, user, key.privateKey, actor, steps);
    } finally {
      raw = await opened.release();
    }
    await this.db.transaction(async (tx) => {
      if (!failure) await this.switchCredentials(tx, machineId, user, key.privateKey, actor);
      await this.record(tx, { machineId, jobId, actor, executionId, opened, user, steps, failure, raw, startedAt });
    });
    if (failure) throw new ClassifiedError(failure.errorKind, failure.message);
    return { executionId, status: 'ok', automationUser: user };
  }

  /** Step 1, through the current login with sudo: the user, its key, its checked sudoers drop-in. */
  private async createUser(
    opened: OpenedMachine,
    user: string,
    publicKey: string,
    disablePassword: boolean,
    steps: BootstrapStep[],
    signal: AbortSignal,
  ): Promise<Failure | null> {
    try {
      const r = await opened.session.runScript(automationUserScript(user, publicKey, disablePassword), {
        sudo: true,
        signal,
        timeoutMs: 2 * 60_000,
      });
      steps.push({
        step: `create ${user}, its key and ${sudoersDropIn(user).path}`,
        ok: r.exitCode === 0,
        output: outputTail(r),
      });
      if (r.exitCode === 0) return null;
      return { errorKind: 'script_failed', message: `creating the automation user failed (exit ${r.exitCode})` };
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      steps.push({ step: `create ${user}`, ok: false, output: [e.message] });
      return { errorKind: e.errorKind, message: e.message };
    }
  }

  /** Step 2, over a second connection: a key login as the new user, then `sudo -n` as it. */
  private async verify(
    opened: OpenedMachine,
    machineId: string,
    user: string,
    privateKey: string,
    actor: Actor,
    steps: BootstrapStep[],
  ): Promise<Failure | null> {
    const { hostname, port } = opened.machine;
    let session: SshSession | null = null;
    try {
      session = await SshSession.connect({
        target: { host: hostname, port, username: user },
        auth: { privateKey },
        verifyHostKey: this.trust.verifierFor({ machineId, hostname, port }, actor),
        timeouts: { connectMs: this.config.ssh.connectTimeoutMs },
        sudo: { mode: 'none' },
      });
      const who = await session.run(['id', '-un'], { timeoutMs: 30_000 });
      steps.push({ step: `key login as ${user}`, ok: who.stdout.trim() === user, output: outputTail(who) });
      const root = await session.run(['id', '-u'], { sudo: true, timeoutMs: 30_000 });
      const sudoOk = root.exitCode === 0 && root.stdout.trim() === '0';
      steps.push({ step: `sudo -n as ${user}`, ok: sudoOk, output: outputTail(root) });
      if (who.stdout.trim() === user && sudoOk) return null;
      return { errorKind: 'bootstrap_verify_failed', message: `sudo as ${user} did not work; nothing was switched` };
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      steps.push({ step: `verify ${user}`, ok: false, output: [e.message] });
      return {
        errorKind: 'bootstrap_verify_failed',
        message: `the key login or sudo as ${user} failed (${e.errorKind}); nothing was switched`,
      };
    } finally {
      await session?.close();
    }
  }

  /** Step 3: the key becomes the machine's login; the old credentials (the password) are replaced, not kept. */
  private async switchCredentials(tx: Tx, machineId: string, user: string, privateKey: string, actor: Actor) {
    const machines = new MachinesRepository(tx);
    await machines.update(machineId, { username: user });
    await machines.upsertCredentials(
      machineId,
      encryptCredentials(this.box, machineId, { authMethod: 'ssh_key', privateKey, sudoMode: 'none' }),
    );
    await machines.markCredentialsTested(machineId, true);
    await new MachineEventsRepository(tx).insert({
      machineId,
      eventType: 'machine.credentials_changed',
      severity: 'warning',
      actor,
      message: `credentials switched to the automation user ${user} (ssh_key, sudo NOPASSWD); the password is no longer stored`,
      payload: { credentialFields: ['privateKey'], automationUser: user },
    });
  }

  private async record(
    tx: Tx,
    x: {
      machineId: string;
      jobId: string;
      actor: Actor;
      executionId: string;
      opened: OpenedMachine;
      user: string;
      steps: BootstrapStep[];
      failure: Failure | null;
      raw: RawLogResult | null;
      startedAt: string;
    },
  ): Promise<void> {
    const { machineId, executionId, user, failure } = x;
    const status = failure ? 'error' : 'ok';
    const finishedAt = new Date().toISOString();
    const machineName = x.opened.machine.name;
    await this.outcomes.record(
      tx,
      {
        machineId,
        jobId: x.jobId,
        executionId,
        actor: x.actor,
        rawLog: x.raw,
        report: {
          title: `bootstrap-${user}-${machineName}-${x.startedAt.slice(0, 19)}`,
          markdown: renderBootstrapReport({
            machineName,
            user,
            steps: x.steps,
            failure,
            startedAt: x.startedAt,
            finishedAt,
          }),
          summary: { status, automationUser: user },
        },
        execution: {
          status,
          result: {
            schemaVersion: 1,
            action: 'bootstrap',
            executionId,
            machineId,
            startedAt: x.startedAt,
            finishedAt,
            status,
            bootstrap: { automationUser: user, switched: !failure, steps: x.steps },
          },
          importantJson: { status, automationUser: user, switched: !failure },
          errorKind: failure?.errorKind ?? null,
          errorMessage: failure?.message ?? null,
        },
        event: {
          eventType: failure ? 'bootstrap.failed' : 'bootstrap.done',
          severity: failure ? 'error' : 'info',
          message: failure
            ? `bootstrap of ${user} failed (${failure.errorKind}); the previous credentials are kept`
            : `bootstrap of ${user} done: key login and sudo verified`,
          payload: { executionId, automationUser: user },
        },
      },
      () =>
        new BootstrapStateRepository(tx).record(machineId, {
          status: failure ? 'failed' : 'done',
          automationUser: user,
          errorMessage: failure?.message ?? null,
        }),
    );
  }
}
