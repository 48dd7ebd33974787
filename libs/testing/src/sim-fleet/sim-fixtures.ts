import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the recorded outputs live in the repository (`npm run sim:record` rewrites them). */
export const SIM_FIXTURES_DIR = new URL('./fixtures/', import.meta.url).pathname;

/** Placeholders for what differs between simulated hosts; the recording puts them where the machine's own values were. */
export const HOSTNAME_SLOT = '{{sim:hostname}}';
export const BOOT_ID_SLOT = '{{sim:boot-id}}';

/** One command as the product sent it (argv after the sudo prefix, and stdin) and what the machine answered. */
export interface RecordedCommand {
  key: string;
  /** The command's argv, for people reading the fixture (a script's stdin is in the key only). */
  argv: string[];
  sudo: boolean;
  stdout: string;
  stderr: string;
  exitCode: number;
  /** How long the machine took (the simulator waits as long). */
  ms: number;
  /** The APT state the host is in after this command (an apply changes the installed packages). */
  then?: string;
}

/** Everything recorded of one machine in one APT state (clean, updates, security, a broken source...). */
export interface RecordedState {
  name: string;
  recordedFrom: { machine: string; at: string };
  commands: RecordedCommand[];
}

/** The lookup key of a command: its argv and stdin exactly (an unknown command is never answered with a guess). */
export function commandKey(argv: readonly string[], stdin: string): string {
  return createHash('sha256').update(JSON.stringify(argv)).update('\0').update(stdin).digest('hex').slice(0, 32);
}

export class FixtureSet {
  private readonly byState = new Map<string, Map<string, RecordedCommand>>();

  constructor(readonly states: RecordedState[]) {
    for (const s of states) this.byState.set(s.name, new Map(s.commands.map((c) => [c.key, c])));
  }

  static load(dir = SIM_FIXTURES_DIR): FixtureSet {
    if (!existsSync(dir)) return new FixtureSet([]);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    return new FixtureSet(files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as RecordedState));
  }

  has(state: string): boolean {
    return this.byState.has(state);
  }

  find(state: string, key: string): RecordedCommand | undefined {
    return this.byState.get(state)?.get(key);
  }

  save(dir = SIM_FIXTURES_DIR): void {
    mkdirSync(dir, { recursive: true });
    for (const s of this.states) writeFileSync(join(dir, `${s.name}.json`), `${JSON.stringify(s, null, 1)}\n`);
  }
}

/** Collects commands per state while the simulator forwards them to a real machine. */
export class FixtureRecorder {
  private readonly states = new Map<string, RecordedState>();

  add(state: string, machine: string, c: RecordedCommand): void {
    let s = this.states.get(state);
    if (!s) {
      s = { name: state, recordedFrom: { machine, at: new Date().toISOString() }, commands: [] };
      this.states.set(state, s);
    }
    // The latest answer wins: a command sent twice in one state (a second analysis) keeps one entry.
    s.commands = [...s.commands.filter((x) => x.key !== c.key), c];
  }

  /** What was recorded so far, as fixtures the simulator can replay. */
  fixtures(): FixtureSet {
    return new FixtureSet([...this.states.values()].map((s) => ({ ...s, commands: [...s.commands] })));
  }
}
