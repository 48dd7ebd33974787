import type { MachineScope } from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { machineScopeWhere } from './machine-scope.repository.ts';

/** The machines a caller sees: not deleted, and inside its machine scope when it has one. */
const visible = (scope: MachineScope | null): Prisma.MachineWhereInput => ({
  deletedAt: null,
  ...(scope ? machineScopeWhere(scope) : {}),
});

export interface OpenMessageFilter {
  scope: MachineScope | null;
  machineId?: string | undefined;
  category?: string | undefined;
  severity?: string | undefined;
  limit: number;
  offset: number;
}

/** One image change seen on services of the fleet: the registry's newer digest for the digest they run. */
export interface DockerUpdateRow {
  imageRef: string | null;
  currentDigest: string | null;
  candidateDigest: string | null;
  currentImageId: string | null;
  candidateImageId: string | null;
  newerSameMajor: string | null;
  newerOverall: string | null;
  machineId: string;
  machineName: string;
  stackName: string;
  serviceName: string;
}

/** The fleet reads the assistant's tools make (issue 18), each filtered by the caller's machine scope in the query. */
export class AssistantReadsRepository {
  constructor(private readonly db: DbClient) {}

  /** Unacknowledged, unresolved messages, newest first, with their count per category and severity. */
  async openMessages(f: OpenMessageFilter) {
    const where: Prisma.ImportantMessageWhereInput = {
      acknowledged: false,
      resolvedAt: null,
      machine: visible(f.scope),
      ...(f.machineId ? { machineId: f.machineId } : {}),
      ...(f.category ? { category: f.category } : {}),
      ...(f.severity ? { severity: f.severity } : {}),
    };
    const [rows, groups] = await Promise.all([
      this.db.importantMessage.findMany({
        where,
        orderBy: [{ lastSeenAt: 'desc' }, { id: 'asc' }],
        skip: f.offset,
        take: f.limit,
        include: { machine: { select: { name: true } } },
      }),
      this.db.importantMessage.groupBy({ by: ['category', 'severity'], where, _count: { _all: true } }),
    ]);
    return {
      counts: groups
        .map((g) => ({ category: g.category, severity: g.severity, count: g._count._all }))
        .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
      items: rows.map((r) => ({
        id: r.id,
        machineId: r.machineId,
        machineName: r.machine?.name ?? null,
        source: r.source,
        category: r.category,
        severity: r.severity,
        packageName: r.packageName,
        message: r.message,
        firstSeenAt: r.firstSeenAt.toISOString(),
        lastSeenAt: r.lastSeenAt.toISOString(),
      })),
    };
  }

  /** Services with an update, with what seed 004 §6's Docker key is made of. */
  async dockerUpdates(scope: MachineScope | null): Promise<DockerUpdateRow[]> {
    const rows = await this.db.dockerStackService.findMany({
      where: {
        status: 'updates_available',
        stack: { status: { in: ['enabled', 'candidate'] }, machine: visible(scope) },
      },
      include: { stack: { select: { name: true, machine: { select: { id: true, name: true } } } } },
      orderBy: [{ imageRef: 'asc' }, { serviceName: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => ({
      imageRef: r.imageRef,
      currentDigest: r.currentDigest,
      candidateDigest: r.candidateDigest,
      currentImageId: r.currentImageId,
      candidateImageId: r.candidateImageId,
      newerSameMajor: r.newerSameMajor,
      newerOverall: r.newerOverall,
      machineId: r.stack.machine.id,
      machineName: r.stack.machine.name,
      stackName: r.stack.name,
      serviceName: r.serviceName,
    }));
  }

  /** Reports of the machines the caller sees, newest first (the MCP resource list). */
  async recentReports(scope: MachineScope | null, limit: number) {
    const rows = await this.db.report.findMany({
      where: { machine: visible(scope) },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: { id: true, machineId: true, title: true, kind: true, createdAt: true },
    });
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
  }

  /** An execution's raw log as recorded (path and size), unless retention deleted it. */
  async rawLogOf(executionId: string): Promise<{ path: string; bytes: bigint | null } | null> {
    const e = await this.db.execution.findUnique({
      where: { id: executionId },
      select: { rawArtifact: { select: { path: true, bytes: true, deletedAt: true } } },
    });
    const a = e?.rawArtifact;
    return a && !a.deletedAt ? { path: a.path, bytes: a.bytes } : null;
  }

  /** The latest finished execution of a machine, optionally of one action. */
  async latestExecutionId(machineId: string, action?: string): Promise<string | null> {
    const e = await this.db.execution.findFirst({
      where: { machineId, finishedAt: { not: null }, ...(action ? { action } : {}) },
      orderBy: { startedAt: 'desc' },
      select: { id: true },
    });
    return e?.id ?? null;
  }
}
