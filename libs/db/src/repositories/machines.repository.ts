import type { AptProxyMode, AptProxySetting, AuthMethod, MachineView, SudoMode } from '@su/contracts';
import type { DbClient } from '../database.ts';
import {
  flushStaleTiles,
  machineView,
  machineViewPage,
  machineViewPageJson,
  type MachineViewPageQuery,
} from './machine-view.query.ts';

export interface NewMachine {
  /** Chosen by the caller, because credentials are encrypted with the machine id as associated data. */
  id: string;
  name: string;
  hostname: string;
  port: number;
  username: string;
  osFamily?: string | undefined;
  machineKind?: string | undefined;
  notes?: string | undefined;
}

export type MachinePatch = Partial<Omit<NewMachine, 'id'>> & {
  aptProxyMode?: AptProxyMode | undefined;
  aptProxyUrl?: string | null | undefined;
};

/** Already-encrypted credential columns: this repository never sees a secret in clear. */
export interface EncryptedCredentials {
  authMethod: AuthMethod;
  sudoMode: SudoMode;
  keyId: string;
  encPassword: string | null;
  encPrivateKey: string | null;
  encKeyPassphrase: string | null;
  encSudoPassword: string | null;
}

export interface ConnectionInfo {
  id: string;
  name: string;
  hostname: string;
  port: number;
  username: string;
  credentials: Omit<EncryptedCredentials, 'keyId'> | null;
  /** Fingerprints of the host keys trusted now: a connection kept under other keys is not handed out again. */
  trustedHostKeys: string[];
}

/** One row of `connectionTarget`'s statement. */
interface ConnectionRow {
  id: string;
  name: string;
  hostname: string;
  port: number;
  username: string;
  has_credentials: boolean;
  auth_method: string | null;
  sudo_mode: string | null;
  enc_password: string | null;
  enc_private_key: string | null;
  enc_key_passphrase: string | null;
  enc_sudo_password: string | null;
  blocked: boolean;
  blocked_reason: string | null;
  trusted: string[];
}

export class MachinesRepository {
  constructor(private readonly db: DbClient) {}

  async create(m: NewMachine, creds: EncryptedCredentials | null): Promise<{ id: string }> {
    return this.db.machine.create({
      data: {
        id: m.id,
        name: m.name,
        hostname: m.hostname,
        port: m.port,
        username: m.username,
        osFamily: m.osFamily ?? 'unknown',
        machineKind: m.machineKind ?? 'unknown',
        notes: m.notes ?? null,
        state: { create: {} },
        ...(creds ? { credentials: { create: creds } } : {}),
      },
      select: { id: true },
    });
  }

  findView(id: string): Promise<MachineView | null> {
    return machineView(this.db, id);
  }

  /** What a connection needs: address, login and the encrypted credentials (decrypted by the caller, audited). */
  async findConnectionInfo(id: string): Promise<ConnectionInfo | null> {
    return (await this.connectionTarget(id))?.info ?? null;
  }

  /**
   * `findConnectionInfo` and whether the machine is blocked (a changed host key), in one statement: every job's
   * connection reads them first, and Prisma's relation loads made them four (ADR 0049).
   */
  async connectionTarget(id: string): Promise<{ info: ConnectionInfo; blocked: boolean; reason: string | null } | null> {
    const rows = await this.db.$queryRawUnsafe<ConnectionRow[]>(
      `SELECT m.id, m.name, m.hostname, m.port, m.username, c.machine_id IS NOT NULL AS has_credentials,
              c.auth_method, c.sudo_mode, c.enc_password, c.enc_private_key, c.enc_key_passphrase, c.enc_sudo_password,
              coalesce(s.blocked, false) AS blocked, s.blocked_reason,
              ARRAY(SELECT k.fingerprint_sha256 FROM machine_host_keys k
                     WHERE k.machine_id = m.id AND k.status = 'approved') AS trusted
         FROM machines m
         LEFT JOIN machine_credentials c ON c.machine_id = m.id
         LEFT JOIN machine_state s ON s.machine_id = m.id
        WHERE m.id = $1::uuid AND m.deleted_at IS NULL`,
      id,
    );
    const r = rows[0];
    if (!r) return null;
    const credentials = r.has_credentials
      ? {
          authMethod: r.auth_method as AuthMethod,
          sudoMode: r.sudo_mode as SudoMode,
          encPassword: r.enc_password,
          encPrivateKey: r.enc_private_key,
          encKeyPassphrase: r.enc_key_passphrase,
          encSudoPassword: r.enc_sudo_password,
        }
      : null;
    const { name, hostname, port, username } = r;
    // Sorted here, not by the database's collation: the list is part of a kept connection's key.
    const info = { id: r.id, name, hostname, port, username, credentials, trustedHostKeys: [...r.trusted].sort() };
    return { info, blocked: r.blocked, reason: r.blocked_reason };
  }

  /** How the machine's apt reaches its repositories (direct when the machine is gone). */
  async aptProxy(id: string): Promise<AptProxySetting> {
    const m = await this.db.machine.findUnique({ where: { id }, select: { aptProxyMode: true, aptProxyUrl: true } });
    return m ? { mode: m.aptProxyMode as AptProxyMode, url: m.aptProxyUrl } : { mode: 'direct', url: null };
  }

  /** The OS family the probe recorded ('debian' until a probe says otherwise: APT targets Debian-like systems). */
  async osFamily(id: string): Promise<string> {
    const m = await this.db.machine.findUnique({ where: { id }, select: { osFamily: true } });
    return m?.osFamily && m.osFamily !== 'unknown' ? m.osFamily : 'debian';
  }

  async markCredentialsTested(id: string, ok: boolean): Promise<void> {
    await this.db.machineCredential.updateMany({
      where: { machineId: id },
      data: { lastTestAt: new Date(), status: ok ? 'ok' : 'error' },
    });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.machine.count({ where: { id, deletedAt: null } })) === 1;
  }

  /** The tile list: a page of machines with their derived state (set-based, no history read) and the list's count. */
  listPage(
    filter: MachineViewPageQuery,
  ): Promise<{ items: MachineView[]; total: number }> {
    return machineViewPage(this.db, filter);
  }

  /** The same page as the JSON text of `{ items, total }`, straight from the stored tiles (the API's answer). */
  listPageJson(filter: MachineViewPageQuery): Promise<string> {
    return machineViewPageJson(this.db, filter);
  }

  /** The stale stored tiles rebuilt at once (ADR 0055); how many. */
  flushStaleTiles(): Promise<number> {
    return flushStaleTiles(this.db);
  }

  async update(id: string, patch: MachinePatch): Promise<void> {
    await this.db.machine.update({ where: { id }, data: patch });
  }

  async softDelete(id: string): Promise<void> {
    await this.db.machine.update({ where: { id }, data: { deletedAt: new Date() } });
  }

  async deleteCredentials(machineId: string): Promise<void> {
    await this.db.machineCredential.deleteMany({ where: { machineId } });
  }

  async upsertCredentials(machineId: string, creds: EncryptedCredentials): Promise<void> {
    await this.db.machineCredential.upsert({
      where: { machineId },
      create: { machineId, ...creds },
      update: { ...creds, status: 'unknown' },
    });
  }

  /** Replaces the machine's tags with `names`, creating tags that do not exist yet. */
  async setTags(machineId: string, names: string[]): Promise<void> {
    const unique = [...new Set(names)];
    await this.db.tag.createMany({ data: unique.map((name) => ({ name })), skipDuplicates: true });
    const tags = await this.db.tag.findMany({ where: { name: { in: unique } }, select: { id: true } });
    await this.db.machineTag.deleteMany({ where: { machineId } });
    await this.db.machineTag.createMany({ data: tags.map((t) => ({ machineId, tagId: t.id })) });
  }
}
