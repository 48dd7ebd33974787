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
  listPage(filter: MachineViewPageQuery): Promise<{ items: MachineView[]; total: number }> {
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
