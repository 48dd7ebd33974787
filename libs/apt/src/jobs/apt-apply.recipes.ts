import type { MachineAction } from '@su/contracts';
import {
  applyDistUpgradeArgv,
  applyOnlyUpgradeArgv,
  applyUpgradeArgv,
  autoremoveArgv,
  cleanArgv,
  type AptApplyOptions,
} from '../apt-commands.ts';

/** What sets one APT apply apart from the others; everything else (preflight, diff, records) is the same flow. */
export interface AptApplyRecipe {
  /** The apt-get simulation that gives the plan just before applying; null: the apply plans no package (clean). */
  readonly simulate: 'upgrade' | 'dist-upgrade' | 'autoremove' | null;
  /** The apply itself; `packages` narrows an upgrade to those packages (--only-upgrade). */
  argv(opts: AptApplyOptions, packages: string[] | undefined): string[];
  /** Whether the changes are compared with the plan (applies that upgrade; autoremove and clean only remove). */
  readonly comparesPlan: boolean;
  /** How the space it frees is measured: apt-get's own summary line, or the archive cache before and after. */
  readonly spaceFreed: 'apt_output' | 'archives_size' | null;
}

/** The APT applies, by their machine action (contracts `MACHINE_ACTIONS`). */
export const APT_APPLIES = {
  apt_upgrade: {
    simulate: 'upgrade',
    argv: (opts, packages) => (packages ? applyOnlyUpgradeArgv(packages, opts) : applyUpgradeArgv(opts)),
    comparesPlan: true,
    spaceFreed: null,
  },
  apt_dist_upgrade: {
    simulate: 'dist-upgrade',
    argv: (opts) => applyDistUpgradeArgv(opts),
    comparesPlan: true,
    spaceFreed: null,
  },
  apt_autoremove: {
    simulate: 'autoremove',
    argv: (opts) => autoremoveArgv(opts),
    comparesPlan: false,
    spaceFreed: 'apt_output',
  },
  apt_clean: { simulate: null, argv: (opts) => cleanArgv(opts), comparesPlan: false, spaceFreed: 'archives_size' },
} as const satisfies Partial<Record<MachineAction, AptApplyRecipe>>;

/** The APT applies AptApplyService carries out, named by their machine action. */
export type AptApplyAction = keyof typeof APT_APPLIES;
export const APT_APPLY_ACTIONS = Object.keys(APT_APPLIES) as AptApplyAction[];
