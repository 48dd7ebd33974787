import type { DbClient } from '../database.ts';

export type DiscoveryScanStatus = 'running' | 'done' | 'failed';

export interface DiscoveryScanView {
  id: string;
  cidr: string;
  ports: number[];
  method: string;
  status: DiscoveryScanStatus;
  requestedBy: string | null;
  total: number;
  probed: number;
  found: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface DiscoveryCandidateView {
  id: string;
  scanId: string;
  host: string;
  port: number;
  service: 'ssh' | 'tcp';
  banner: string | null;
  keyType: string | null;
  hostKeyFingerprint: string | null;
  hostKeyPublic: string | null;
  reverseDns: string | null;
  alreadyKnown: boolean;
  knownMachineId: string | null;
  createdAt: string;
}

export type NewDiscoveryCandidate = Omit<DiscoveryCandidateView, 'id' | 'scanId' | 'createdAt'>;

type ScanRow = {
  id: string;
  cidr: string;
  portsJson: unknown;
  method: string;
  status: string;
  requestedBy: string | null;
  total: number;
  probed: number;
  found: number;
  startedAt: Date;
  finishedAt: Date | null;
  resultJson: unknown;
};

type CandidateRow = Omit<DiscoveryCandidateView, 'createdAt' | 'service'> & { service: string; createdAt: Date };

function scanView(r: ScanRow): DiscoveryScanView {
  const result = (r.resultJson ?? {}) as { error?: string };
  return {
    id: r.id,
    cidr: r.cidr,
    ports: Array.isArray(r.portsJson) ? (r.portsJson as number[]) : [],
    method: r.method,
    status: r.status as DiscoveryScanStatus,
    requestedBy: r.requestedBy,
    total: r.total,
    probed: r.probed,
    found: r.found,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    error: result.error ?? null,
  };
}

function candidateView(r: CandidateRow): DiscoveryCandidateView {
  return { ...r, service: r.service === 'ssh' ? 'ssh' : 'tcp', createdAt: r.createdAt.toISOString() };
}

/** discovery_scans and discovery_candidates (issue 20), and the fleet lookups that say "already known". */
export class DiscoveryRepository {
  constructor(private readonly db: DbClient) {}

  async createScan(s: { cidr: string; ports: number[]; requestedBy: string | null; total: number }): Promise<string> {
    const r = await this.db.discoveryScan.create({
      data: { cidr: s.cidr, portsJson: s.ports, status: 'running', requestedBy: s.requestedBy, total: s.total },
      select: { id: true },
    });
    return r.id;
  }

  async progress(id: string, probed: number, found: number): Promise<void> {
    await this.db.discoveryScan.update({ where: { id }, data: { probed, found } });
  }

  async finish(id: string, status: 'done' | 'failed', error: string | null): Promise<void> {
    await this.db.discoveryScan.update({
      where: { id },
      data: { status, finishedAt: new Date(), resultJson: error ? { error } : {} },
    });
  }

  /** Scans a gateway left running when it stopped: nobody will finish them. */
  async failAbandoned(startedBefore: Date): Promise<number> {
    const r = await this.db.discoveryScan.updateMany({
      where: { status: 'running', startedAt: { lt: startedBefore } },
      data: { status: 'failed', finishedAt: new Date(), resultJson: { error: 'the gateway running the scan stopped' } },
    });
    return r.count;
  }

  async findScan(id: string): Promise<DiscoveryScanView | null> {
    const r = await this.db.discoveryScan.findUnique({ where: { id } });
    return r ? scanView(r) : null;
  }

  async listScans(limit: number): Promise<DiscoveryScanView[]> {
    const rows = await this.db.discoveryScan.findMany({ orderBy: { startedAt: 'desc' }, take: limit });
    return rows.map(scanView);
  }

  async insertCandidate(scanId: string, c: NewDiscoveryCandidate): Promise<void> {
    await this.db.discoveryCandidate.create({ data: { scanId, ...c } });
  }

  async candidates(scanId: string): Promise<DiscoveryCandidateView[]> {
    const rows = await this.db.discoveryCandidate.findMany({ where: { scanId }, orderBy: [{ host: 'asc' }, { port: 'asc' }] });
    return rows.map(candidateView);
  }

  async findCandidate(scanId: string, id: string): Promise<DiscoveryCandidateView | null> {
    const r = await this.db.discoveryCandidate.findFirst({ where: { id, scanId } });
    return r ? candidateView(r) : null;
  }

  /** False when the candidate was already known (another admin added it meanwhile). */
  async markKnown(id: string, machineId: string): Promise<boolean> {
    const r = await this.db.discoveryCandidate.updateMany({
      where: { id, alreadyKnown: false },
      data: { alreadyKnown: true, knownMachineId: machineId },
    });
    return r.count === 1;
  }

  /** A machine of the fleet (not deleted) at this address and port. */
  async machineAt(host: string, port: number): Promise<string | null> {
    const m = await this.db.machine.findFirst({ where: { hostname: host, port, deletedAt: null }, select: { id: true } });
    return m?.id ?? null;
  }

  /** A machine of the fleet (not deleted) whose trusted host key has this fingerprint (same host, other address). */
  async machineWithKey(fingerprintSha256: string): Promise<string | null> {
    const k = await this.db.machineHostKey.findFirst({
      where: { fingerprintSha256, status: 'approved', machine: { deletedAt: null } },
      select: { machineId: true },
    });
    return k?.machineId ?? null;
  }
}
