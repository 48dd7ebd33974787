import type { MachineStatus } from './machine-status.ts';

export const AUTH_METHODS = ['password', 'ssh_key'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * How privileged commands run: `same_as_ssh` (sudo -S with the login password), `separate` (sudo -S with its own
 * password), `none` (NOPASSWD sudo), `root` (the login is root; no sudo).
 */
export const SUDO_MODES = ['same_as_ssh', 'separate', 'none', 'root'] as const;
export type SudoMode = (typeof SUDO_MODES)[number];

export const MACHINE_KINDS = [
  'physical',
  'vm',
  'proxmox_host',
  'lxc',
  'container',
  'raspberry_pi',
  'workstation',
  'unknown',
] as const;
export type MachineKind = (typeof MACHINE_KINDS)[number];

/**
 * How a machine's apt reaches its repositories: `direct`; `runtime` (the proxy is passed to each apt run of ours
 * only); `persistent` (an apt.conf.d file of ours names it, so the machine's own apt uses it too).
 */
export const APT_PROXY_MODES = ['direct', 'runtime', 'persistent'] as const;
export type AptProxyMode = (typeof APT_PROXY_MODES)[number];

/**
 * An APT HTTP proxy as apt-cacher-ng or squid serve it: http://host[:port][/], nothing else. No user info (a
 * password would travel in apt's argv and the conf file), no quote, space or path, so the value is safe to quote
 * in an apt.conf file and a shell.
 */
export const APT_PROXY_URL =
  /^http:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?\/?$/;

export interface AptProxySetting {
  mode: AptProxyMode;
  url: string | null;
}

/** Plain-text credentials as given by a person; only ever held in memory, encrypted before storage. */
export interface MachineCredentialsInput {
  authMethod: AuthMethod;
  password?: string | undefined;
  privateKey?: string | undefined;
  keyPassphrase?: string | undefined;
  sudoMode: SudoMode;
  sudoPassword?: string | undefined;
}

/** What the API shows about credentials: which exist, never their values. */
export interface CredentialsSummary {
  authMethod: AuthMethod;
  sudoMode: SudoMode;
  hasPassword: boolean;
  hasPrivateKey: boolean;
  hasKeyPassphrase: boolean;
  hasSudoPassword: boolean;
  status: string;
  updatedAt: string;
}

export interface MachineStateView {
  status: MachineStatus;
  aptStatus: string | null;
  aptUpdatesCount: number;
  aptSecurityCount: number;
  /** Held packages (apt-mark hold) with a pending update, and how many of those are security updates. */
  aptHeldCount: number;
  aptHeldSecurityCount: number;
  /** Phased updates apt keeps back for now (not in the plan, not in aptUpdatesCount). */
  aptPhasedCount: number;
  aptRebootRequired: boolean;
  /** The latest analysis' plan changes a kernel: applying it will require a reboot. */
  aptRebootAfterApply: boolean;
  aptLastAnalyzeAt: string | null;
  dockerStatus: string | null;
  dockerUpdatesCount: number;
  dockerInstalled: boolean;
  /** Compose stacks known (not ignored), containers of enabled stacks with an open alert, last scan and check. */
  dockerStacksCount: number;
  dockerAlertsOpen: number;
  dockerLastScanAt: string | null;
  dockerLastCheckAt: string | null;
  aptUsable: boolean | null;
  lastProbeAt: string | null;
  blocked: boolean;
  blockedReason: string | null;
  runningJobId: string | null;
  lastErrorKind: string | null;
  lastErrorMessage: string | null;
  updatedAt: string;
}

export interface MachineHardwareView {
  cpuModel: string | null;
  cpuCores: number | null;
  memoryBytes: number | null;
  hardwareModel: string | null;
  updatedAt: string;
}

export interface MachineMetricsView {
  collectedAt: string;
  cpuLoad1: number | null;
  cpuLoad5: number | null;
  memoryUsedPercent: number | null;
  rootUsedPercent: number | null;
  filesystems: { mount: string; usedPercent: number; sizeBytes: number }[];
  bootId: string | null;
  uptimeSeconds: number | null;
}

export interface MachineView {
  id: string;
  name: string;
  hostname: string;
  port: number;
  username: string;
  osFamily: string;
  osVersion: string | null;
  osCodename: string | null;
  arch: string | null;
  machineKind: string;
  virtualization: string | null;
  /** The same value as `state.status` (`unknown` before anything reached the machine). */
  status: MachineStatus;
  notes: string | null;
  aptProxy: AptProxySetting;
  tags: string[];
  credentials: CredentialsSummary | null;
  state: MachineStateView | null;
  hardware: MachineHardwareView | null;
  metrics: MachineMetricsView | null;
  /** The automation-user bootstrap (ADR 0032): running | done | failed; null before one ran. */
  bootstrapStatus: string | null;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string | null;
}

export interface MachineEventView {
  id: string;
  machineId: string | null;
  eventType: string;
  severity: string;
  createdAt: string;
  actorType: string | null;
  actorId: string | null;
  jobId: string | null;
  message: string | null;
  payload: unknown;
}

/**
 * The orders of the machine list: `name` (by name, the default) and `status`, worst first (blocked, error, offline,
 * security, running, updates, unknown, ok — the dashboard's default view), then by name.
 */
export const MACHINE_LIST_SORTS = ['name', 'status'] as const;
export type MachineListSort = (typeof MACHINE_LIST_SORTS)[number];
