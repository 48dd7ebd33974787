import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import { DISCOVERY_PROGRESS_EVENT, type Actor } from '@su/contracts';
import {
  AppSettingsRepository,
  Database,
  DiscoveryRepository,
  LiveEventsRepository,
  MachineEventsRepository,
  type DiscoveryCandidateView,
  type DiscoveryScanView,
  type Tx,
} from '@su/db';
import type { HostKeyInfo } from '@su/ssh';
import { addressAllowed, blockContains, hostAddresses, hostCount, parseIpv4Cidr, type Ipv4Block } from './cidr.ts';
import { DiscoveryScanner, type OpenPort, type ScanTarget } from './discovery-scanner.ts';
import { DEFAULT_DISCOVERY_SETTINGS, DISCOVERY_SETTINGS_KEY, type DiscoverySettings } from './discovery-settings.ts';
import { systemReverseDns, tcpConnect } from './tcp-connector.ts';

/** Longer than any scan the limits allow: a scan still "running" after it was left by a gateway that stopped. */
const ABANDONED_AFTER_MS = 6 * 3_600_000;
const PROGRESS_EVERY_MS = 500;
const DEFAULT_PORTS = [22];

export interface CandidateToAdd {
  candidate: DiscoveryCandidateView;
  hostKey: HostKeyInfo;
}

function cidrError(reason: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: 'invalid request: cidr',
    errors: [{ field: 'cidr', reasons: [reason] }],
  });
}

/**
 * Network discovery (issue 20): scans only blocks of the admin's allow-list, sized and paced by the settings; runs
 * the sweep in this process and records what answered, each candidate matched against the fleet.
 */
@Injectable()
export class DiscoveryService implements OnModuleInit {
  private readonly logger = new Logger('Discovery');
  private readonly running = new Set<Promise<void>>();

  constructor(@Inject(Database) private readonly db: Database) {}

  async onModuleInit(): Promise<void> {
    await new DiscoveryRepository(this.db.prisma).failAbandoned(new Date(Date.now() - ABANDONED_AFTER_MS));
  }

  async settings(): Promise<DiscoverySettings> {
    const stored = (await new AppSettingsRepository(this.db.prisma).get(DISCOVERY_SETTINGS_KEY)) ?? {};
    return { ...DEFAULT_DISCOVERY_SETTINGS, ...(stored as Partial<DiscoverySettings>) };
  }

  async setSettings(s: DiscoverySettings, actor: Actor): Promise<DiscoverySettings> {
    const allowedCidrs = [...new Set(s.allowedCidrs.map((c) => parseIpv4Cidr(c)?.cidr ?? c))];
    const value = { ...s, allowedCidrs };
    await this.db.transaction(async (tx) => {
      await new AppSettingsRepository(tx).set(DISCOVERY_SETTINGS_KEY, { ...value }, actor.label ?? actor.id);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'settings.discovery',
        actor,
        message: `discovery settings changed: ${allowedCidrs.length} allowed block(s)`,
        payload: { ...value },
      });
    });
    return this.settings();
  }

  /**
   * Checks the target against the size cap (400) and the allow-list (403), before anything is sent; records the
   * scan and starts it; the sweep goes on after the answer.
   */
  async start(cidrText: string, ports: number[] | undefined, actor: Actor): Promise<DiscoveryScanView> {
    const block = parseIpv4Cidr(cidrText);
    if (!block) throw cidrError('cidr must be an IPv4 block like 192.168.1.0/24');
    const s = await this.settings();
    const size = hostCount(block);
    if (size > s.maxAddresses)
      throw cidrError(`cidr holds ${size} addresses; the largest scan allowed is ${s.maxAddresses}`);
    const allowed = s.allowedCidrs.map(parseIpv4Cidr).filter((b): b is Ipv4Block => b !== null);
    if (!allowed.some((a) => blockContains(a, block)))
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: 'cidr is outside the discovery allow-list; an admin adds blocks in the discovery settings',
      });
    const hosts = hostAddresses(block);
    const scanPorts = ports?.length ? [...ports] : DEFAULT_PORTS;
    // Belt and braces: every single address is checked again against the allow-list before it is queued.
    const targets = hosts
      .filter((h) => addressAllowed(h, allowed))
      .flatMap((host) => scanPorts.map((port) => ({ host, port })));
    const repo = new DiscoveryRepository(this.db.prisma);
    const id = await repo.createScan({
      cidr: block.cidr,
      ports: scanPorts,
      requestedBy: actor.label ?? actor.id,
      total: targets.length,
    });
    await new MachineEventsRepository(this.db.prisma).insert({
      machineId: null,
      eventType: 'discovery.scan_started',
      actor,
      message: `discovery scan of ${block.cidr} on port(s) ${scanPorts.join(', ')}`,
      payload: { scanId: id, cidr: block.cidr, ports: scanPorts },
    });
    this.track(this.run(id, targets, s));
    return this.scan(id);
  }

  async scan(id: string): Promise<DiscoveryScanView> {
    const scan = await new DiscoveryRepository(this.db.prisma).findScan(id);
    if (!scan) throw new NotFoundException(`discovery scan ${id} not found`);
    return scan;
  }

  list(limit: number): Promise<DiscoveryScanView[]> {
    return new DiscoveryRepository(this.db.prisma).listScans(limit);
  }

  async candidates(scanId: string): Promise<DiscoveryCandidateView[]> {
    await this.scan(scanId);
    return new DiscoveryRepository(this.db.prisma).candidates(scanId);
  }

  /** A candidate that can become a machine: it spoke SSH, showed a host key, and the fleet does not have it yet. */
  async candidateToAdd(scanId: string, candidateId: string): Promise<CandidateToAdd> {
    const c = await new DiscoveryRepository(this.db.prisma).findCandidate(scanId, candidateId);
    if (!c) throw new NotFoundException(`discovery candidate ${candidateId} not found`);
    if (c.alreadyKnown) throw new ConflictException('this candidate is already a machine of the fleet');
    if (!c.hostKeyFingerprint || !c.hostKeyPublic || !c.keyType)
      throw new ConflictException('this candidate showed no SSH host key; add it as a machine by hand');
    return {
      candidate: c,
      hostKey: { keyType: c.keyType, fingerprintSha256: c.hostKeyFingerprint, publicKey: c.hostKeyPublic },
    };
  }

  /**
   * In the machine's creation transaction: the candidate now points at the machine made from it. Two admins adding
   * the same candidate at once: the second one's transaction is rolled back with 409.
   */
  async markAdded(tx: Tx, candidateId: string, machineId: string): Promise<void> {
    if (!(await new DiscoveryRepository(tx).markKnown(candidateId, machineId)))
      throw new ConflictException('this candidate is already a machine of the fleet');
  }

  /** Waits for the scans this process runs (tests, and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async run(id: string, targets: ScanTarget[], s: DiscoverySettings): Promise<void> {
    const repo = new DiscoveryRepository(this.db.prisma);
    const scanner = new DiscoveryScanner(tcpConnect, s.reverseDns ? systemReverseDns : null);
    const counts = { probed: 0, found: 0 };
    let lastSent = 0;
    // Reports are chained, so a slow one never lands after a later one (the final counts stay final).
    let reports: Promise<void> = Promise.resolve();
    const report = (status: DiscoveryScanView['status']) => {
      lastSent = Date.now();
      const snapshot = { ...counts };
      reports = reports
        .then(async () => {
          await repo.progress(id, snapshot.probed, snapshot.found);
          if (status !== 'running')
            await repo.finish(id, status, status === 'failed' ? 'the scan stopped on an internal error' : null);
          await new LiveEventsRepository(this.db.prisma).publish(DISCOVERY_PROGRESS_EVENT, null, null, {
            scanId: id,
            status,
            total: targets.length,
            ...snapshot,
          });
        })
        .catch((e: unknown) => this.logger.warn(`discovery scan ${id}: progress not recorded: ${(e as Error).message}`));
      return reports;
    };
    try {
      await scanner.scan(targets, s, {
        onOpen: async (p) => {
          await repo.insertCandidate(id, await this.describe(repo, p));
          counts.found++;
        },
        onProbed: (n) => {
          counts.probed = n;
          if (Date.now() - lastSent >= PROGRESS_EVERY_MS) void report('running');
        },
      });
      await report('done');
    } catch (e) {
      this.logger.warn(`discovery scan ${id} failed: ${(e as Error).message}`);
      await report('failed');
    }
  }

  /** "Already known": a machine at this address and port, or one whose trusted host key is this one. */
  private async describe(repo: DiscoveryRepository, p: OpenPort) {
    const fp = p.hostKey?.fingerprintSha256 ?? null;
    const known = (await repo.machineAt(p.host, p.port)) ?? (fp ? await repo.machineWithKey(fp) : null);
    return {
      host: p.host,
      port: p.port,
      service: p.banner ? ('ssh' as const) : ('tcp' as const),
      banner: p.banner,
      keyType: p.hostKey?.keyType ?? null,
      hostKeyFingerprint: fp,
      hostKeyPublic: p.hostKey?.publicKey ?? null,
      reverseDns: p.reverseDns,
      alreadyKnown: known !== null,
      knownMachineId: known,
    };
  }
}
