import { randomBytes } from 'node:crypto';
import { FixtureSet } from './sim-fixtures.ts';
import { SimHost } from './sim-host.ts';
import { simHostKeys } from './sim-host-keys.ts';

/** What a fleet is made of, per hundred hosts (the rest of the hosts are spread over the recorded states). */
export interface SimFleetMix {
  /** Hosts whose port refuses connections. */
  unreachablePct: number;
  /** Hosts answering `slowFactor` times slower than the machine they were recorded from. */
  slowPct: number;
  slowFactor: number;
  /** Recorded states and their weights (e.g. clean 5, updates 3, security 2, repo-error 1). */
  states: Record<string, number>;
}

export const DEFAULT_MIX: SimFleetMix = {
  unreachablePct: 2,
  slowPct: 3,
  slowFactor: 5,
  states: { clean: 5, updates: 3, security: 2, 'repo-error': 1 },
};

export interface SimFleetOptions {
  count: number;
  fixtures?: FixtureSet;
  mix?: SimFleetMix;
  /** Prefix of host names (sim-0001, ...). */
  prefix?: string;
  /** Every host's latency × this (1: as recorded; a CI test that only needs the paths may go faster). */
  latencyScale?: number;
}

/**
 * Many simulated machines in one process (ssh2 servers on 127.0.0.1, one port each), answering the product's commands
 * with outputs recorded from the lab (libs/testing/src/sim-fleet/fixtures, `npm run sim:record`).
 */
export class SimFleet {
  private constructor(readonly hosts: SimHost[]) {}

  static async start(o: SimFleetOptions): Promise<SimFleet> {
    const fixtures = o.fixtures ?? FixtureSet.load();
    const mix = o.mix ?? DEFAULT_MIX;
    const states = Object.entries(mix.states).filter(([s]) => fixtures.has(s));
    if (states.length === 0) throw new Error('sim-fleet: no recorded state of the mix is in the fixtures');
    const cycle = states.flatMap(([s, w]) => Array<string>(w).fill(s));
    const keys = simHostKeys(o.count);
    const hosts = keys.map((hostKey, i) => {
      const n = i % 100;
      return new SimHost({
        name: `${o.prefix ?? 'sim'}-${String(i + 1).padStart(5, '0')}`,
        hostKey,
        username: 'admin',
        password: `sim-${randomBytes(9).toString('base64url')}`,
        state: cycle[i % cycle.length] ?? 'clean',
        unreachable: n < mix.unreachablePct,
        latencyFactor:
          (o.latencyScale ?? 1) *
          (n >= mix.unreachablePct && n < mix.unreachablePct + mix.slowPct ? mix.slowFactor : 1),
        fixtures,
      });
    });
    // Started in batches: thousands of listens at once would only queue in the kernel anyway.
    for (let i = 0; i < hosts.length; i += 200) await Promise.all(hosts.slice(i, i + 200).map((h) => h.start()));
    return new SimFleet(hosts);
  }

  /** Every command any host could not answer from its recording (empty when the product sent only known ones). */
  unknownCommands(): string[] {
    return this.hosts.flatMap((h) => h.unknown.map((u) => `${h.name}: ${u}`));
  }

  async stop(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.stop()));
  }
}
