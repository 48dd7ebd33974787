import {
  asMachineStatus,
  type AptProxyMode,
  type AptProxySetting,
  type AuthMethod,
  type MachineScope,
  type MachineView,
  type SudoMode,
} from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { machineScopeWhere } from './machine-scope.repository.ts';

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

/** The credential columns a connection needs (and the view reduces to has/has-not). */
const encryptedCredentialColumns = {
  authMethod: true,
  sudoMode: true,
  encPassword: true,
  encPrivateKey: true,
  encKeyPassphrase: true,
  encSudoPassword: true,
} as const;

const viewInclude = {
  tags: { select: { tag: { select: { name: true } } } },
  credentials: {
    select: { ...encryptedCredentialColumns, status: true, updatedAt: true },
  },
  state: true,
  bootstrapState: { select: { status: true } },
  hardware: { select: { cpuModel: true, cpuCores: true, memoryBytes: true, firmwareJson: true, updatedAt: true } },
  metricsLatest: {
    select: {
      collectedAt: true,
      cpuLoad1: true,
      cpuLoad5: true,
      memoryUsedPercent: true,
      rootUsedPercent: true,
      filesystemsJson: true,
      bootId: true,
      uptimeSeconds: true,
    },
  },
} as const;

type ViewRow = Awaited<ReturnType<MachinesRepository['findRow']>>;

function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

function toView(m: NonNullable<ViewRow>): MachineView {
  const c = m.credentials;
  const s = m.state;
  return {
    id: m.id,
    name: m.name,
    hostname: m.hostname,
    port: m.port,
    username: m.username,
    osFamily: m.osFamily,
    osVersion: m.osVersion,
    osCodename: m.osCodename,
    arch: m.arch,
    machineKind: m.machineKind,
    virtualization: m.virtualization,
    // The machine's one status lives in machine_state; a machine nothing has reached yet has none.
    status: s ? asMachineStatus(s.status) : 'unknown',
    notes: m.notes,
    aptProxy: { mode: m.aptProxyMode as AptProxyMode, url: m.aptProxyUrl },
    tags: m.tags.map((t) => t.tag.name).sort(),
    // Only whether each secret exists; the encrypted values never leave this function.
    credentials: c && {
      authMethod: c.authMethod as AuthMethod,
      sudoMode: c.sudoMode as SudoMode,
      hasPassword: c.encPassword !== null,
      hasPrivateKey: c.encPrivateKey !== null,
      hasKeyPassphrase: c.encKeyPassphrase !== null,
      hasSudoPassword: c.encSudoPassword !== null,
      status: c.status,
      updatedAt: c.updatedAt.toISOString(),
    },
    state: s && {
      status: asMachineStatus(s.status),
      aptStatus: s.aptStatus,
      aptUpdatesCount: s.aptUpdatesCount,
      aptSecurityCount: s.aptSecurityCount,
      aptHeldCount: s.aptHeldCount,
      aptHeldSecurityCount: s.aptHeldSecurityCount,
      aptPhasedCount: s.aptPhasedCount,
      aptRebootRequired: s.aptRebootRequired,
      aptRebootAfterApply: s.aptRebootAfterApply,
      aptLastAnalyzeAt: iso(s.aptLastAnalyzeAt),
      dockerStatus: s.dockerStatus,
      dockerUpdatesCount: s.dockerUpdatesCount,
      dockerInstalled: s.dockerInstalled,
      dockerStacksCount: s.dockerStacksCount,
      dockerAlertsOpen: s.dockerAlertsOpen,
      dockerLastScanAt: iso(s.dockerLastScanAt),
      dockerLastCheckAt: iso(s.dockerLastCheckAt),
      aptUsable: s.aptUsable,
      lastProbeAt: iso(s.lastProbeAt),
      blocked: s.blocked,
      blockedReason: s.blockedReason,
      runningJobId: s.runningJobId,
      lastErrorKind: s.lastErrorKind,
      lastErrorMessage: s.lastErrorMessage,
      updatedAt: s.updatedAt.toISOString(),
    },
    bootstrapStatus: m.bootstrapState?.status ?? null,
    hardware: m.hardware && {
      cpuModel: m.hardware.cpuModel,
      cpuCores: m.hardware.cpuCores,
      memoryBytes: m.hardware.memoryBytes === null ? null : Number(m.hardware.memoryBytes),
      hardwareModel: ((m.hardware.firmwareJson ?? {}) as { hardwareModel?: string | null }).hardwareModel ?? null,
      updatedAt: m.hardware.updatedAt.toISOString(),
    },
    metrics: m.metricsLatest && {
      collectedAt: m.metricsLatest.collectedAt.toISOString(),
      cpuLoad1: m.metricsLatest.cpuLoad1,
      cpuLoad5: m.metricsLatest.cpuLoad5,
      memoryUsedPercent: m.metricsLatest.memoryUsedPercent,
      rootUsedPercent: m.metricsLatest.rootUsedPercent,
      filesystems: (m.metricsLatest.filesystemsJson as { mount: string; usedPercent: number; sizeBytes: number }[]).map(
        (f) => ({ mount: f.mount, usedPercent: f.usedPercent, sizeBytes: f.sizeBytes }),
      ),
      bootId: m.metricsLatest.bootId,
      uptimeSeconds: m.metricsLatest.uptimeSeconds,
    },
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    lastSeenAt: iso(m.lastSeenAt),
  };
}

/** A list's filter: a tag, and the machine scope of the caller (null or absent: every machine). */
export interface ListFilter {
  tag?: string | undefined;
  scope?: MachineScope | null | undefined;
}

function listWhere(f: ListFilter): Prisma.MachineWhereInput {
  return {
    deletedAt: null,
    ...(f.tag ? { tags: { some: { tag: { name: f.tag } } } } : {}),
    ...(f.scope ? { AND: [machineScopeWhere(f.scope)] } : {}),
  };
}

export class MachinesRepository {
  constructor(private readonly db: DbClient) {}

  private findRow(id: string) {
    return this.db.machine.findFirst({ where: { id, deletedAt: null }, include: viewInclude });
  }

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

  async findView(id: string): Promise<MachineView | null> {
    const row = await this.findRow(id);
    return row ? toView(row) : null;
  }

  /** What a connection needs: address, login and the encrypted credentials (decrypted by the caller, audited). */
  async findConnectionInfo(id: string): Promise<ConnectionInfo | null> {
    const m = await this.db.machine.findFirst({
      where: { id, deletedAt: null },
      select: {
        id: true,
        name: true,
        hostname: true,
        port: true,
        username: true,
        credentials: { select: encryptedCredentialColumns },
        hostKeys: { where: { status: 'approved' }, select: { fingerprintSha256: true } },
      },
    });
    if (!m) return null;
    const { hostKeys, ...rest } = m;
    return {
      ...rest,
      trustedHostKeys: hostKeys.map((k) => k.fingerprintSha256).sort(),
      credentials: m.credentials && {
        ...m.credentials,
        authMethod: m.credentials.authMethod as AuthMethod,
        sudoMode: m.credentials.sudoMode as SudoMode,
      },
    };
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

  /** The tile list: machines with their derived state, one query, no history read. */
  async listViews(filter: ListFilter & { limit: number; offset: number }): Promise<MachineView[]> {
    const rows = await this.db.machine.findMany({
      where: listWhere(filter),
      include: viewInclude,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: filter.limit,
      skip: filter.offset,
    });
    return rows.map(toView);
  }

  async countActive(filter: ListFilter): Promise<number> {
    return this.db.machine.count({ where: listWhere(filter) });
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
