import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import { machineStatusAfter } from '@su/contracts';
import {
  AppSettingsRepository,
  Database,
  HostKeysRepository,
  ImportantMessagesRepository,
  MachineEventsRepository,
  MachineStateRepository,
  type HostKeyView,
  type Tx,
} from '@su/db';
import type { HostKeyInfo, HostKeyVerifier } from '@su/ssh';
import {
  DEFAULT_HOST_KEY_POLICY,
  HOST_KEY_POLICY_SETTING,
  isHostKeyPolicy,
  type HostKeyPolicy,
} from './host-key-policy.ts';

export interface TrustTarget {
  machineId: string;
  hostname: string;
  port: number;
}

/**
 * Host key trust: trust on first use (or first key pending approval, by policy), recorded in machine_host_keys. A key
 * that differs from the trusted one never connects: the machine is blocked, an event and an important message say
 * so, and only a person approving the new key (admin) unblocks it. Never a silent accept.
 */
@Injectable()
export class HostKeyTrustService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async policy(): Promise<HostKeyPolicy> {
    const v = await new AppSettingsRepository(this.db.prisma).get(HOST_KEY_POLICY_SETTING);
    return isHostKeyPolicy(v) ? v : DEFAULT_HOST_KEY_POLICY;
  }

  async setPolicy(policy: HostKeyPolicy, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      await new AppSettingsRepository(tx).set(HOST_KEY_POLICY_SETTING, policy, actor.label ?? actor.id);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'settings.host_key_policy',
        actor,
        message: `host key policy set to ${policy}`,
        payload: { policy },
      });
    });
  }

  /**
   * The verifier for one connection; it records what it sees, in one transaction per verdict. `known`: the keys
   * trusted when the job read its machine (in the statement that found it unblocked): such a key is accepted without
   * a round trip inside the handshake, and `onKnown` gets it, for the caller to record it seen (ADR 0062).
   */
  verifierFor(
    t: TrustTarget,
    actor: Actor,
    known?: { fingerprints: readonly string[]; onKnown: (fingerprint: string) => void },
  ): HostKeyVerifier {
    return (key: HostKeyInfo) => {
      if (known?.fingerprints.includes(key.fingerprintSha256)) {
        known.onKnown(key.fingerprintSha256);
        return true;
      }
      return this.verdict(t, key, actor);
    };
  }

  private async verdict(t: TrustTarget, key: HostKeyInfo, actor: Actor): Promise<boolean | 'unknown' | 'changed'> {
    // The approved key, as nearly every connection sees it: one statement, no policy, no per-machine lock (what the
    // full verdict would answer for it; the lock only serialises first keys and changes).
    if (await new HostKeysRepository(this.db.prisma).touchIfApproved(t.machineId, key.fingerprintSha256)) return true;
    const policy = await this.policy();
    return this.db.transaction(async (tx) => {
      // Serialise verdicts per machine so two first connections cannot both "trust the first key".
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('su:host-key:' || $1))`, t.machineId);
      const keys = new HostKeysRepository(tx);
      const events = new MachineEventsRepository(tx);
      const known = await keys.findByFingerprint(t.machineId, key.fingerprintSha256);
      if (known?.status === 'approved') {
        await keys.touchSeen(known.id);
        return true;
      }
      const record = (status: 'approved' | 'pending' | 'changed', approvedBy?: string) =>
        keys.insert({
          machineId: t.machineId,
          hostname: t.hostname,
          port: t.port,
          keyType: key.keyType,
          fingerprintSha256: key.fingerprintSha256,
          publicKey: key.publicKey,
          status,
          ...(approvedBy ? { approvedBy } : {}),
        });
      if ((await keys.countApproved(t.machineId)) === 0) {
        if (known?.status === 'rejected') return 'unknown';
        if (policy === 'trust_first_use') {
          await record('approved', 'trust-on-first-use');
          await events.insert({
            machineId: t.machineId,
            eventType: 'host_key.trusted',
            actor,
            message: `first host key trusted on first use: ${key.keyType} ${key.fingerprintSha256}`,
            payload: { fingerprint: key.fingerprintSha256, keyType: key.keyType },
          });
          return true;
        }
        await record('pending');
        await events.insert({
          machineId: t.machineId,
          eventType: 'host_key.pending',
          severity: 'warning',
          actor,
          message: `host key ${key.keyType} ${key.fingerprintSha256} waits for approval (policy: require approval)`,
          payload: { fingerprint: key.fingerprintSha256 },
        });
        await new ImportantMessagesRepository(tx).upsert({
          machineId: t.machineId,
          source: 'ssh',
          category: 'security_notice',
          severity: 'warning',
          message: `First host key ${key.fingerprintSha256} waits for approval before any connection.`,
          dedupKey: `ssh:host_key_pending:${key.fingerprintSha256}`,
        });
        return 'unknown';
      }
      await record('changed');
      const message = `host key changed: the server presented ${key.keyType} ${key.fingerprintSha256}, which is not the trusted key; the machine is blocked until a person approves the new key`;
      const status = machineStatusAfter({ kind: 'blocked' });
      await new MachineStateRepository(tx).block(t.machineId, 'host_key_changed', 'host_key_changed', message, status);
      await events.insert({
        machineId: t.machineId,
        eventType: 'host_key.changed',
        severity: 'error',
        actor,
        message,
        payload: { fingerprint: key.fingerprintSha256, keyType: key.keyType },
      });
      await new ImportantMessagesRepository(tx).upsert({
        machineId: t.machineId,
        source: 'ssh',
        category: 'security_notice',
        severity: 'error',
        message: `Host key changed to ${key.fingerprintSha256}. If the machine was reinstalled, compare with \`ssh-keygen -lf /etc/ssh/ssh_host_${key.keyType.replace(/^ssh-/, '').replace(/^ecdsa-sha2-nistp\d+$/, 'ecdsa')}_key.pub\` on its console and approve; otherwise treat it as an attack.`,
        dedupKey: `ssh:host_key_changed:${key.fingerprintSha256}`,
      });
      return 'changed';
    });
  }

  /**
   * A key a person saw and accepted before the machine existed (a discovery candidate's host key, shown to the admin
   * who adds it): recorded as the trusted key in the caller's transaction, so the machine's first connection already
   * checks against it instead of trusting whatever answers first.
   */
  async trustSeenKey(tx: Tx, t: TrustTarget, key: HostKeyInfo, actor: Actor): Promise<void> {
    await new HostKeysRepository(tx).insert({
      machineId: t.machineId,
      hostname: t.hostname,
      port: t.port,
      keyType: key.keyType,
      fingerprintSha256: key.fingerprintSha256,
      publicKey: key.publicKey,
      status: 'approved',
      approvedBy: actor.label ?? actor.id ?? 'unknown',
    });
    await new MachineEventsRepository(tx).insert({
      machineId: t.machineId,
      eventType: 'host_key.trusted',
      actor,
      message: `host key trusted as seen by a discovery scan and shown when the machine was added: ${key.keyType} ${key.fingerprintSha256}`,
      payload: { fingerprint: key.fingerprintSha256, keyType: key.keyType, source: 'discovery' },
    });
  }

  list(machineId: string): Promise<HostKeyView[]> {
    return new HostKeysRepository(this.db.prisma).listByMachine(machineId);
  }

  /** A person accepts a key (first key pending, or a changed key after checking it): it becomes the trusted one. */
  async approve(machineId: string, keyId: string, actor: Actor): Promise<HostKeyView> {
    return this.db.transaction(async (tx) => {
      const keys = new HostKeysRepository(tx);
      const key = await keys.find(machineId, keyId);
      if (!key) throw new NotFoundException(`host key ${keyId} of machine ${machineId} not found`);
      await keys.approve(machineId, keyId, actor.label ?? actor.id ?? 'unknown');
      await new MachineStateRepository(tx).unblock(machineId, machineStatusAfter({ kind: 'unblocked' }));
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: 'host_key.approved',
        severity: 'warning',
        actor,
        message: `host key ${key.keyType} ${key.fingerprintSha256} approved; connections use it from now on`,
        payload: { keyId, fingerprint: key.fingerprintSha256, previousStatus: key.status },
      });
      const approved = await keys.find(machineId, keyId);
      if (!approved) throw new Error(`host key ${keyId} vanished while it was approved`);
      return approved;
    });
  }
}
