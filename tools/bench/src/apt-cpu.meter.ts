import { commandLineCpu, descendantsCpu, namespaceCpu, selfCpu } from './cpu-accounting.ts';
import { printTable, summary } from './stats.ts';

/**
 * The CPU each side of the apt bench spends per round, by where it is spent: ours in this process (the worker), its
 * PostgreSQL (this process's children) and the lab machines; Ansible's in its processes (reaped by this one) and its
 * SSH control masters (found by their socket directory), and the lab machines.
 */
export class AptCpuMeter {
  private readonly ours = { worker: [] as number[], db: [] as number[], machines: [] as number[] };
  private readonly peer = { local: [] as number[], machines: [] as number[] };

  constructor(
    private readonly machineInitPids: number[],
    private readonly peerControlDir: string,
  ) {}

  async measure<T>(side: 'ours' | 'peer', run: () => T | Promise<T>): Promise<T> {
    // This process's CPU is read right around the run: the meter's own scans of /proc (tens of ms on a busy host)
    // are not the worker's (ADR 0052).
    const a = this.now();
    const selfA = selfCpu();
    const r = await run();
    const selfB = selfCpu();
    const b = this.now();
    if (side === 'ours') {
      this.ours.worker.push(selfB.own - selfA.own);
      this.ours.db.push(b.db - a.db);
      this.ours.machines.push(b.machines - a.machines);
    } else {
      this.peer.local.push(selfB.reapedChildren - selfA.reapedChildren + b.controlMasters - a.controlMasters);
      this.peer.machines.push(b.machines - a.machines);
    }
    return r;
  }

  print(): void {
    const ms = (v: number[]) => summary(v.map((x) => x * 1000)).p50;
    const total = (...parts: number[][]) =>
      ms((parts[0] ?? []).map((_, i) => parts.reduce((s, p) => s + (p[i] ?? 0), 0)));
    const { ours, peer } = this;
    printTable(
      'apt: CPU per round (ms, p50 over the rounds; what the same work takes of the cores, whatever the load)',
      ['tool', 'local processes', 'PostgreSQL', 'lab machines (sshd, sudo, apt, python)', 'total'],
      [
        [
          'system-update (worker process)',
          ms(ours.worker),
          ms(ours.db),
          ms(ours.machines),
          total(ours.worker, ours.db, ours.machines),
        ],
        [
          'Ansible (ansible, its forks, SSH control masters)',
          ms(peer.local),
          '',
          ms(peer.machines),
          total(peer.local, peer.machines),
        ],
      ],
    );
  }

  private now() {
    return {
      db: descendantsCpu(process.pid),
      machines: this.machineInitPids.reduce((sum, pid) => sum + namespaceCpu(pid), 0),
      controlMasters: commandLineCpu(this.peerControlDir),
    };
  }
}
