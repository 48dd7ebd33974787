import type {
  DockerFleetImageView,
  DockerServiceView,
  DockerStackChoice,
  DockerStackStatus,
  DockerStackView,
  MachineScope,
} from '@su/contracts';
import type { DbClient } from '../database.ts';
import { machineScopeWhere } from './machine-scope.repository.ts';

/** One stack as a scan found it. */
export interface ScannedStack {
  name: string;
  workingDir: string;
  composeFiles: string[];
  projectName: string | null;
  envFile: string | null;
  detectedBy: 'root_scan' | 'label' | 'manual';
  error: string | null;
  services: ScannedService[];
}

export interface ScannedService {
  serviceName: string;
  imageRef: string | null;
  currentImageId: string | null;
  currentDigest: string | null;
  versionLabel: string | null;
  sourceUrl: string | null;
  containerState: string | null;
  containerHealth: string | null;
}

/** A service whose image a check asks the registry about. */
export interface CheckTarget {
  serviceId: string;
  machineId: string;
  stackId: string;
  stackName: string;
  serviceName: string;
  imageRef: string;
  currentDigest: string | null;
  versionLabel: string | null;
}

type ServiceRow = {
  id: string;
  stackId: string;
  serviceName: string;
  imageRef: string | null;
  currentImageId: string | null;
  currentDigest: string | null;
  candidateDigest: string | null;
  versionLabel: string | null;
  sourceUrl: string | null;
  status: string | null;
  statusReason: string | null;
  containerState: string | null;
  containerHealth: string | null;
  newerSameMajor: string | null;
  newerOverall: string | null;
  checkedAt: Date | null;
  updatedAt: Date;
};

const serviceView = (s: ServiceRow): DockerServiceView => ({
  id: s.id,
  stackId: s.stackId,
  serviceName: s.serviceName,
  imageRef: s.imageRef,
  currentImageId: s.currentImageId,
  currentDigest: s.currentDigest,
  candidateDigest: s.candidateDigest,
  versionLabel: s.versionLabel,
  sourceUrl: s.sourceUrl,
  status: s.status,
  statusReason: s.statusReason,
  containerState: s.containerState,
  containerHealth: s.containerHealth,
  newerSameMajor: s.newerSameMajor,
  newerOverall: s.newerOverall,
  checkedAt: s.checkedAt?.toISOString() ?? null,
  updatedAt: s.updatedAt.toISOString(),
});

type StackRow = {
  id: string;
  machineId: string;
  name: string;
  workingDir: string;
  composeFilesJson: unknown;
  projectName: string | null;
  status: string;
  choice: string;
  detectedBy: string | null;
  errorMessage: string | null;
  lastScanAt: Date | null;
  lastUpdateAt: Date | null;
  services: ServiceRow[];
};

const stackView = (s: StackRow): DockerStackView => ({
  id: s.id,
  machineId: s.machineId,
  name: s.name,
  workingDir: s.workingDir,
  composeFiles: Array.isArray(s.composeFilesJson) ? (s.composeFilesJson as string[]) : [],
  projectName: s.projectName,
  status: s.status as DockerStackStatus,
  choice: s.choice as DockerStackChoice,
  detectedBy: s.detectedBy,
  error: s.errorMessage,
  lastScanAt: s.lastScanAt?.toISOString() ?? null,
  lastUpdateAt: s.lastUpdateAt?.toISOString() ?? null,
  services: s.services.map(serviceView),
});

/** A check result still holds for a service whose running digest did not change; otherwise it is recomputed. */
function statusAfterScan(
  old: { currentDigest: string | null; candidateDigest: string | null; imageRef: string | null; status: string | null },
  now: ScannedService,
): { status: string | null; candidateDigest: string | null } {
  if (old.imageRef !== now.imageRef) return { status: null, candidateDigest: null };
  if (!old.candidateDigest || !now.currentDigest) return { status: old.status, candidateDigest: old.candidateDigest };
  return {
    status: old.candidateDigest === now.currentDigest ? 'up_to_date' : 'updates_available',
    candidateDigest: old.candidateDigest,
  };
}

export class DockerStacksRepository {
  constructor(private readonly db: DbClient) {}

  async list(machineId: string): Promise<DockerStackView[]> {
    const rows = await this.db.dockerComposeStack.findMany({
      where: { machineId },
      include: { services: { orderBy: { serviceName: 'asc' } } },
      orderBy: { name: 'asc' },
    });
    return rows.map(stackView);
  }

  async find(machineId: string, id: string): Promise<DockerStackView | null> {
    const r = await this.db.dockerComposeStack.findFirst({
      where: { machineId, id },
      include: { services: { orderBy: { serviceName: 'asc' } } },
    });
    return r ? stackView(r) : null;
  }

  /**
   * Writes what a scan found: new stacks get their first choice (under a declared root: enabled; found by labels
   * only: candidate), a person's choice is kept, a broken one is `error` with the message; stacks no longer found
   * are removed. Returns the stacks as stored.
   */
  async saveScan(machineId: string, scanned: readonly ScannedStack[], at: Date): Promise<DockerStackView[]> {
    const seen: string[] = [];
    for (const s of scanned) {
      const old = await this.db.dockerComposeStack.findUnique({
        where: { machineId_name: { machineId, name: s.name } },
      });
      const choice = old?.choice ?? (s.detectedBy === 'root_scan' ? 'enabled' : 'candidate');
      const data = {
        workingDir: s.workingDir,
        composeFilesJson: s.composeFiles,
        projectName: s.projectName,
        envFile: s.envFile,
        detectedBy: old?.detectedBy === 'root_scan' ? 'root_scan' : s.detectedBy,
        status: s.error ? 'error' : choice,
        choice,
        errorMessage: s.error,
        lastScanAt: at,
      };
      const stack = old
        ? await this.db.dockerComposeStack.update({ where: { id: old.id }, data })
        : await this.db.dockerComposeStack.create({ data: { machineId, name: s.name, ...data } });
      seen.push(stack.id);
      // A broken compose file says nothing about the services: keep what was known.
      if (!s.error) await this.saveServices(stack.id, s.services);
    }
    await this.db.dockerComposeStack.deleteMany({ where: { machineId, id: { notIn: seen } } });
    return this.list(machineId);
  }

  private async saveServices(stackId: string, services: readonly ScannedService[]): Promise<void> {
    for (const svc of services) {
      const old = await this.db.dockerStackService.findUnique({
        where: { stackId_serviceName: { stackId, serviceName: svc.serviceName } },
      });
      const check = old ? statusAfterScan(old, svc) : { status: null, candidateDigest: null };
      const data = { ...svc, ...check };
      if (old) await this.db.dockerStackService.update({ where: { id: old.id }, data });
      else await this.db.dockerStackService.create({ data: { stackId, ...data } });
    }
    await this.db.dockerStackService.deleteMany({
      where: { stackId, serviceName: { notIn: services.map((s) => s.serviceName) } },
    });
  }

  async setChoice(id: string, choice: DockerStackChoice): Promise<void> {
    const s = await this.db.dockerComposeStack.findUniqueOrThrow({ where: { id } });
    await this.db.dockerComposeStack.update({
      where: { id },
      data: { choice, status: s.status === 'error' ? 'error' : choice },
    });
  }

  /** The services a check asks about: of stacks not ignored and not broken, on one machine or the whole fleet. */
  async checkTargets(machineId: string | null): Promise<CheckTarget[]> {
    const rows = await this.db.dockerStackService.findMany({
      where: {
        imageRef: { not: null },
        stack: {
          ...(machineId ? { machineId } : {}),
          status: { in: ['enabled', 'candidate'] },
          machine: { deletedAt: null },
        },
      },
      include: { stack: { select: { machineId: true, name: true } } },
      orderBy: { id: 'asc' },
    });
    return rows.map((r) => ({
      serviceId: r.id,
      machineId: r.stack.machineId,
      stackId: r.stackId,
      stackName: r.stack.name,
      serviceName: r.serviceName,
      imageRef: r.imageRef ?? '',
      currentDigest: r.currentDigest,
      versionLabel: r.versionLabel,
    }));
  }

  async recordCheck(
    serviceId: string,
    r: {
      status: string;
      reason: string | null;
      candidateDigest: string | null;
      newerSameMajor?: string | null | undefined;
      newerOverall?: string | null | undefined;
    },
    at: Date,
  ): Promise<void> {
    await this.db.dockerStackService.update({
      where: { id: serviceId },
      data: {
        status: r.status,
        statusReason: r.reason,
        candidateDigest: r.candidateDigest,
        ...(r.newerSameMajor === undefined ? {} : { newerSameMajor: r.newerSameMajor }),
        ...(r.newerOverall === undefined ? {} : { newerOverall: r.newerOverall }),
        checkedAt: at,
      },
    });
  }

  /** After an apply: what the service now runs (and whether that is the registry's digest). */
  async recordApplied(
    stackId: string,
    serviceName: string,
    r: { imageRef: string; imageId: string | null; digest: string | null },
    at: Date,
  ): Promise<void> {
    const old = await this.db.dockerStackService.findUnique({
      where: { stackId_serviceName: { stackId, serviceName } },
    });
    if (!old) return;
    const sameRef = old.imageRef === r.imageRef;
    await this.db.dockerStackService.update({
      where: { id: old.id },
      data: {
        imageRef: r.imageRef,
        currentImageId: r.imageId,
        currentDigest: r.digest,
        ...(sameRef
          ? { status: old.candidateDigest && old.candidateDigest === r.digest ? 'up_to_date' : old.status }
          : { status: null, candidateDigest: null, newerSameMajor: null, newerOverall: null }),
      },
    });
    await this.db.dockerComposeStack.update({ where: { id: stackId }, data: { lastUpdateAt: at } });
  }

  /** Per machine: stacks known, services with an update. */
  async counts(machineId: string): Promise<{ stacks: number; updates: number }> {
    const [stacks, updates] = await Promise.all([
      this.db.dockerComposeStack.count({ where: { machineId, status: { not: 'ignored' } } }),
      this.db.dockerStackService.count({
        where: { status: 'updates_available', stack: { machineId, status: { in: ['enabled', 'candidate'] } } },
      }),
    ]);
    return { stacks, updates };
  }

  /** Fleet view: image references with an update, and every machine/stack/service using each. */
  async fleetUpdates(scope: MachineScope | null): Promise<DockerFleetImageView[]> {
    const rows = await this.db.dockerStackService.findMany({
      where: {
        status: 'updates_available',
        stack: {
          status: { in: ['enabled', 'candidate'] },
          machine: { deletedAt: null, ...(scope ? machineScopeWhere(scope) : {}) },
        },
      },
      include: { stack: { select: { id: true, name: true, machine: { select: { id: true, name: true } } } } },
      orderBy: [{ imageRef: 'asc' }, { serviceName: 'asc' }],
    });
    const byRef = new Map<string, DockerFleetImageView>();
    for (const r of rows) {
      const ref = r.imageRef ?? '';
      const v = byRef.get(ref) ?? {
        imageRef: ref,
        candidateDigest: r.candidateDigest,
        newerSameMajor: r.newerSameMajor,
        newerOverall: r.newerOverall,
        uses: [],
      };
      v.uses.push({
        machineId: r.stack.machine.id,
        machineName: r.stack.machine.name,
        stackId: r.stack.id,
        stackName: r.stack.name,
        serviceName: r.serviceName,
      });
      byRef.set(ref, v);
    }
    return [...byRef.values()];
  }
}
