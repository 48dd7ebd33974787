import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import { Database, MachinesRepository } from '@su/db';
import { SshError, type HostKeyInfo } from '@su/ssh';
import { MachineConnector } from './machine-connector.ts';

export interface ConnectionTestResult {
  ok: boolean;
  /** The last step that succeeded: none → connected (TCP, host key, login) → identity → sudo. */
  reached: 'none' | 'connected' | 'identity' | 'sudo';
  durationMs: number;
  hostKey: Pick<HostKeyInfo, 'keyType' | 'fingerprintSha256'> | null;
  remoteUser: string | null;
  remoteUid: number | null;
  sudo: 'ok' | 'failed' | 'not_needed' | 'not_checked';
  errorKind: string | null;
  message: string | null;
  remediation: string | null;
}

/**
 * A quick check run directly by the gateway (not queued behind long jobs): connect, host key, `id`, and a sudo
 * round trip. Bounded by the connect timeout plus two short commands.
 */
@Injectable()
export class ConnectionTestService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
  ) {}

  async test(machineId: string, actor: Actor): Promise<ConnectionTestResult> {
    const t0 = performance.now();
    const result: ConnectionTestResult = {
      ok: false,
      reached: 'none',
      durationMs: 0,
      hostKey: null,
      remoteUser: null,
      remoteUid: null,
      sudo: 'not_checked',
      errorKind: null,
      message: null,
      remediation: null,
    };
    let session;
    try {
      const opened = await this.connector.open(machineId, { actor, purpose: 'test-connection', verification: true });
      session = opened.session;
      result.reached = 'connected';
      result.hostKey = { keyType: session.hostKey.keyType, fingerprintSha256: session.hostKey.fingerprintSha256 };
      const id = await session.run(['id', '-un'], { timeoutMs: 5000 });
      const uid = await session.run(['id', '-u'], { timeoutMs: 5000 });
      result.remoteUser = id.stdout.trim() || null;
      result.remoteUid = Number(uid.stdout.trim());
      result.reached = 'identity';
      if (opened.sudoMode === 'root' || result.remoteUid === 0) {
        result.sudo = 'not_needed';
      } else {
        const r = await session.run(['id', '-u'], { sudo: true, timeoutMs: 10_000 });
        result.sudo = r.exitCode === 0 && r.stdout.trim() === '0' ? 'ok' : 'failed';
        if (result.sudo === 'failed') throw new SshError('sudo_failed', `sudo check returned ${r.exitCode}`);
      }
      result.reached = result.sudo === 'ok' ? 'sudo' : 'identity';
      result.ok = true;
    } catch (e) {
      const err = e as Error & { errorKind?: string; remediation?: string };
      if (err.errorKind === 'sudo_failed' || err.errorKind === 'sudo_requires_tty') result.sudo = 'failed';
      result.errorKind = err.errorKind ?? 'internal_error';
      result.message = err.message;
      result.remediation = err.remediation ?? null;
    } finally {
      await session?.close().catch(() => undefined);
      result.durationMs = Math.round(performance.now() - t0);
    }
    if (result.errorKind !== 'machine_not_found') {
      await new MachinesRepository(this.db.prisma).markCredentialsTested(machineId, result.ok).catch(() => undefined);
    }
    return result;
  }
}
