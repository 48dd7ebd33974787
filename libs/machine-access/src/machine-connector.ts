import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { Actor } from '@su/contracts';
import { machineStatusAfter } from '@su/contracts';
import {
  Database,
  MachineConnectionRepository,
  MachineStateRepository,
  type ConnectionInfo,
} from '@su/db';
import { APP_CONFIG, ClassifiedError } from '@su/platform';
import { SecretBox } from '@su/security';
import { createHash } from 'node:crypto';
import { SshError, SshSession, type RawLogOptions, type RawLogResult, type SudoMode } from '@su/ssh';
import { credentialFieldsStored, decryptCredentials } from './machine-credentials.cipher.ts';
import { SessionPool } from './session-pool.ts';
import { HostKeyTrustService } from './host-key-trust.service.ts';

export interface AccessContext {
  actor: Actor;
  /** Why the credentials are opened (recorded in the audit event): "machine.probe", "test-connection", ... */
  purpose: string;
  jobId?: string | null;
  rawLog?: RawLogOptions;
  connectTimeoutMs?: number;
  /**
   * A job's steps on the machine (analysis, apply, probe): a connection kept from the machine's previous job may be
   * used, and `release()` keeps this one for the next (SU_SSH_KEEP_SECONDS). Off for a connection test (it must test a
   * fresh login) and a reboot (the connection dies with the machine).
   */
  reuse?: boolean;
  /**
   * The job verifies the machine (a probe): it never takes a kept connection, which would hide a changed host key, a
   * stopped sshd or changed credentials for as long as it is kept; the machine's kept one is closed. With `reuse`,
   * the fresh connection is still kept for the next job.
   */
  verification?: boolean;
}

export interface OpenedMachine {
  session: SshSession;
  machine: Omit<ConnectionInfo, 'credentials' | 'trustedHostKeys'>;
  sudoMode: SudoMode;
  /**
   * Opens another session with the same credentials and host key verification, without decrypting again (for a
   * reboot's reconnection attempts). The credentials live only in this closure, for the job's duration.
   */
  reconnect: () => Promise<SshSession>;
  /**
   * Ends the job's use of the connection: finishes its raw log (returned, final) and keeps the connection for the
   * machine's next job when the open asked for reuse, else closes it.
   */
  release: () => Promise<RawLogResult | null>;
}

function withoutRawLog(ctx: AccessContext): AccessContext {
  const { rawLog: _log, ...rest } = ctx;
  return rest;
}

/**
 * The one way to reach a machine: refuses a blocked machine before any network traffic, decrypts its credentials
 * for this use only (and audits that it did, never the values), verifies the host key against what was trusted,
 * and returns an open SSH session. Connection failures update the machine's state with their classified kind.
 */
@Injectable()
export class MachineConnector implements OnApplicationShutdown {
  private readonly pool: SessionPool;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(HostKeyTrustService) private readonly trust: HostKeyTrustService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Twice the read-only jobs of one kind a worker runs at once (128 by default): room for the machines of the jobs
    // running and for their next ones (ADR 0054).
    this.pool = new SessionPool(config.ssh.keepSeconds * 1000, 2 * Math.max(config.queue.readConcurrency, 8));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.closeAll();
  }

  async open(machineId: string, ctx: AccessContext): Promise<OpenedMachine> {
    // One statement: every job pays this before its first byte on the network.
    const target = await new MachineConnectionRepository(this.db).connectionTarget(machineId);
    if (!target) throw new ClassifiedError('machine_not_found', `machine ${machineId} not found`);
    const { info, ...state } = target;
    if (state.blocked) {
      this.pool.drop(machineId);
      throw new ClassifiedError(
        state.reason ?? 'host_key_changed',
        `machine "${info.name}" is blocked (${state.reason}); nothing was run`,
        'Compare the new host key (GET /api/v1/machines/:id/host-keys) with `ssh-keygen -lf` on the machine, then approve it.',
      );
    }
    const c = info.credentials;
    if (!c)
      throw new ClassifiedError(
        'credentials_missing',
        `machine "${info.name}" has no credentials`,
        'Set them with PUT /api/v1/machines/:id/credentials.',
      );
    // Same address, login, stored credentials (their ciphertexts change whenever they are set again) and trusted host
    // keys: a kept connection is dropped once the credentials or the machine's trusted key change.
    const key = createHash('sha256')
      .update(JSON.stringify([info.hostname, info.port, info.username, c, info.trustedHostKeys]))
      .digest('hex');
    const { credentials: _creds, trustedHostKeys: _keys, ...machine } = info;
    const release = (session: SshSession) => async () => {
      const log = await session.finishRawLog().catch(() => null);
      if (ctx.reuse) this.pool.put(machineId, key, session);
      else await session.close();
      return log;
    };
    if (ctx.verification) this.pool.drop(machineId);
    else if (ctx.reuse) {
      const kept = this.pool.take(machineId, key);
      if (kept) {
        kept.startRawLog(ctx.rawLog ?? null);
        // A connection idle in the pool may have died without a sign (machine powered off): one round trip, within
        // the connect timeout, before the job relies on it; else a fresh connection as usual. The round trip is an
        // SSH request sshd answers itself, not a command (a channel, a fork and a shell on the machine; ADR 0051).
        const ok = await kept.ping(ctx.connectTimeoutMs ?? this.config.ssh.connectTimeoutMs);
        if (ok)
          return {
            session: kept,
            machine,
            sudoMode: c.sudoMode,
            // As for a fresh connection's reconnects: a new login, without the job's raw log (which stays this one).
            reconnect: async () => (await this.open(machineId, { ...withoutRawLog(ctx), reuse: false })).session,
            release: release(kept),
          };
        await kept.finishRawLog().catch(() => null);
        await kept.close();
      }
    }
    const { auth, sudo } = decryptCredentials(this.box, machineId, c);
    // One audit row per opening, written as soon as the server has shown a key trusted at the read above (while the
    // login goes on), else once the connection is up or has failed.
    let audit: Promise<void> | null = null;
    const recordOpened = (seenHostKey: string | null) =>
      (audit ??= new MachineConnectionRepository(this.db).recordOpened({
        machineId,
        actor: ctx.actor,
        jobId: ctx.jobId ?? null,
        purpose: ctx.purpose,
        fields: credentialFieldsStored(c),
        seenHostKey,
      }));
    const onKnown = (fingerprint: string) => void recordOpened(fingerprint).catch(() => undefined);
    const trustTarget = { machineId, hostname: info.hostname, port: info.port };
    // A reboot's reconnection verifies its key the full way (and records it seen there): it writes no audit row.
    const connect = (first: boolean) =>
      SshSession.connect({
        target: { host: info.hostname, port: info.port, username: info.username },
        auth,
        verifyHostKey: first
          ? this.trust.verifierFor(trustTarget, ctx.actor, { fingerprints: info.trustedHostKeys, onKnown })
          : this.trust.verifierFor(trustTarget, ctx.actor),
        timeouts: { connectMs: ctx.connectTimeoutMs ?? this.config.ssh.connectTimeoutMs },
        sudo,
        ...(first && ctx.rawLog ? { rawLog: ctx.rawLog } : {}),
      });
    try {
      const session = await connect(true);
      await recordOpened(null).catch(async (e: unknown) => {
        await session.close();
        throw e;
      });
      return { session, machine, sudoMode: c.sudoMode, reconnect: () => connect(false), release: release(session) };
    } catch (e) {
      await recordOpened(null).catch(() => undefined);
      if (e instanceof SshError && e.errorKind !== 'host_key_changed') {
        const status = machineStatusAfter({ kind: 'failed', errorKind: e.errorKind });
        await new MachineStateRepository(this.db.prisma).recordError(machineId, e.errorKind, e.message, status);
      }
      throw e;
    }
  }
}
