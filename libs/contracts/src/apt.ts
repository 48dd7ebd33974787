import { z } from 'zod';
import { ACTION_TYPES, SNAPSHOT_ACTIONS, type SnapshotAction } from './machine-actions.ts';

// Canonical JSON contracts (docs/ARCHITECTURE.md §C) for APT snapshots, executions and verified reboots (schemaVersion 1).
// Persisted payloads: fields are only ever added (optional), unions only widened, nothing renamed or removed.

export const APT_SCHEMA_VERSION = 1 as const;

export const SNAPSHOT_STATUSES = ['ok', 'updates_available', 'warning', 'error'] as const;
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

export const EXECUTION_STATUSES = ['ok', 'warning', 'error'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const APT_OPERATIONS = ['upgrade', 'install', 'remove'] as const;
export type AptOperation = (typeof APT_OPERATIONS)[number];

/** One package file offering a version, with the Release fields as `apt-cache policy` reports them. */
export const aptSourceSchema = z.object({
  /** Release "Origin" (o=): "Debian", "Ubuntu", "Proxmox". */
  origin: z.string().nullable(),
  /** Release "Label" (l=): "Debian", "Debian-Security". */
  label: z.string().nullable(),
  /** Release "Suite" (a=, apt's "archive"): "stable", "stable-security". */
  suite: z.string().nullable(),
  /** Release "Codename" (n=): "bookworm", "bookworm-security". */
  codename: z.string().nullable(),
  /** Release "Version" (v=): "12.10". */
  version: z.string().nullable(),
  component: z.string().nullable(),
  /** The repository and distribution of the package file: "http://deb.debian.org/debian-security bookworm-security". */
  archive: z.string(),
});
export type AptSource = z.infer<typeof aptSourceSchema>;

/** One APT source (a `deb` line or a deb822 stanza) of a machine, with what the fleet view flags. */
export const aptRepositorySchema = z.object({
  file: z.string(),
  format: z.enum(['one-line', 'deb822']),
  types: z.array(z.string()),
  uris: z.array(z.string()),
  suites: z.array(z.string()),
  components: z.array(z.string()),
  /** Key file, "inline", or null when no signed-by key is named. */
  signedBy: z.string().nullable(),
  trusted: z.boolean(),
  enabled: z.boolean(),
  flags: z.object({ olderSuite: z.boolean(), thirdParty: z.boolean(), unsigned: z.boolean() }),
});
export type AptRepositoryView = z.infer<typeof aptRepositorySchema>;

/** One package of a simulated plan, as apt printed it. */
export const aptPackageSchema = z.object({
  name: z.string(),
  arch: z.string(),
  currentVersion: z.string().nullable(),
  /** null for a removal. */
  targetVersion: z.string().nullable(),
  /** As apt prints it between the version and the arch, e.g. "Debian:12.10/stable"; null when apt did not say. */
  origin: z.string().nullable(),
  /** The part of `origin` before the first ':' ("Debian", "Debian-Security"). */
  originName: z.string().nullable(),
  /** The part of `origin` after the last '/' ("stable", "stable-security", "bookworm-security"). */
  suite: z.string().nullable(),
  operation: z.enum(APT_OPERATIONS),
  /** From the origin/suite apt reports, never from the package name. */
  security: z.boolean(),
  keptBack: z.boolean(),
  held: z.boolean(),
  phased: z.boolean(),
  /** Seed 004 §6: os_family|package|from|to|origin. */
  dedupKey: z.string(),
  /** Seed 004 milestone-1 field, kept for readers of the older shape. */
  severityHint: z.enum(['normal', 'security']).optional(),
  // Additive (issue 10): the Release fields of the candidate's sources (originName then holds the real Origin).
  label: z.string().nullable().optional(),
  codename: z.string().nullable().optional(),
  /** Every package file offering the target version (a version in both the normal and the security suite: both). */
  sources: z.array(aptSourceSchema).optional(),
  /** A phased update: the share of machines the new version is offered to now (Phased-Update-Percentage). */
  phasedPercentage: z.number().int().min(0).max(100).optional(),
});
export type AptPackage = z.infer<typeof aptPackageSchema>;

export const SNAPSHOT_ERROR_SOURCES = ['apt', 'docker', 'post_install', 'ssh', 'system'] as const;
export const SNAPSHOT_ERROR_SEVERITIES = ['info', 'warning', 'error'] as const;

export const snapshotErrorSchema = z.object({
  source: z.enum(SNAPSHOT_ERROR_SOURCES),
  /** Taxonomy string (repository_not_found, missing_key, release_expired, mirror_unreachable, apt_lock_busy, ...). */
  kind: z.string(),
  severity: z.enum(SNAPSHOT_ERROR_SEVERITIES),
  /** Cleaned, one line, never a secret. */
  message: z.string(),
  remediation: z.string().optional(),
  importantLines: z.array(z.string()).optional(),
});
export type SnapshotError = z.infer<typeof snapshotErrorSchema>;

export const aptSnapshotDetailSchema = z.object({
  // Milestone-1 block (required).
  enabled: z.boolean(),
  /** Actionable updates: `packages.length`. */
  count: z.number().int().nonnegative(),
  rebootRequired: z.boolean(),
  /** Actionable packages (what dist-upgrade would upgrade or install), held/phased/kept-back-only excluded. */
  packages: z.array(aptPackageSchema),
  // Additive fields.
  status: z.enum(SNAPSHOT_STATUSES).optional(),
  /** When `apt-get update` last succeeded; null: unknown or failed, so "no updates" cannot be trusted. */
  listsRefreshedAt: z.string().nullable().optional(),
  upgradeCount: z.number().int().nonnegative().optional(),
  distUpgradeCount: z.number().int().nonnegative().optional(),
  installed: z.array(aptPackageSchema).optional(),
  removed: z.array(aptPackageSchema).optional(),
  /** What `apt-get autoremove` would remove (its simulation): the plan an apt_autoremove request is bound to. */
  autoremove: z.array(aptPackageSchema).optional(),
  keptBack: z.array(aptPackageSchema).optional(),
  held: z.array(z.string()).optional(),
  phased: z.array(z.string()).optional(),
  rebootPkgs: z.array(z.string()).optional(),
  securityCount: z.number().int().nonnegative().optional(),
  errors: z.array(snapshotErrorSchema).optional(),
  /** Held packages (apt-mark hold) with a pending update: never applied, counted apart from `count`. */
  heldPackages: z.array(aptPackageSchema).optional(),
  heldCount: z.number().int().nonnegative().optional(),
  heldSecurityCount: z.number().int().nonnegative().optional(),
  /** The machine's APT sources (issue 10). */
  repositories: z.array(aptRepositorySchema).optional(),
  /** Phased updates apt keeps back on this machine for now (Ubuntu's staged rollouts): never applied, counted apart. */
  phasedPackages: z.array(aptPackageSchema).optional(),
  phasedCount: z.number().int().nonnegative().optional(),
  /** The plan changes a kernel package, so an apply of it will end with a reboot required (same rule as the apply). */
  rebootAfterApply: z.boolean().optional(),
  /** The kernel packages of the plan that make it so. */
  rebootAfterApplyPkgs: z.array(z.string()).optional(),
});
export type AptSnapshotDetail = z.infer<typeof aptSnapshotDetailSchema>;

/** What produced a snapshot: an action whose job writes one, or a kind the first contract allowed (§C1). */
export type SnapshotKind = SnapshotAction | 'reboot_check' | 'combined';
const SNAPSHOT_KINDS: [SnapshotKind, ...SnapshotKind[]] = ['reboot_check', 'combined', ...SNAPSHOT_ACTIONS];

export const updateSnapshotSchema = z.object({
  machineId: z.string(),
  hostname: z.string(),
  os: z.object({ family: z.string(), version: z.string() }),
  checkedAt: z.string(),
  status: z.enum(SNAPSHOT_STATUSES),
  apt: aptSnapshotDetailSchema,
  /** Absent means 1 (docs/ARCHITECTURE.md §C1). */
  schemaVersion: z.literal(APT_SCHEMA_VERSION).optional(),
  kind: z.enum(SNAPSHOT_KINDS).optional(),
  machineKind: z.string().optional(),
  // The docker lib owns the shape of this block; kept opaque here so parsing never strips it.
  docker: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(snapshotErrorSchema).optional(),
  rawHints: z.object({ logImportantLines: z.array(z.string()) }).optional(),
});
export type UpdateSnapshot = z.infer<typeof updateSnapshotSchema>;

export const APT_CHANGE_OPERATIONS = ['upgraded', 'installed', 'removed', 'unchanged', 'downgraded'] as const;

/** One real change seen by diffing the dpkg package set before and after a run. */
export const aptChangeSchema = z.object({
  name: z.string(),
  arch: z.string().optional(),
  fromVersion: z.string().nullable(),
  toVersion: z.string().nullable(),
  operation: z.enum(APT_CHANGE_OPERATIONS),
  origin: z.string().nullable().optional(),
  dedupKey: z.string().optional(),
});
export type AptChange = z.infer<typeof aptChangeSchema>;

export const planComparisonSchema = z.object({
  /** The applied diff is exactly the plan (same names, same target versions, same operations). */
  matches: z.boolean(),
  /** Applied but not planned (or applied at another version). */
  unexpected: z.array(aptChangeSchema),
  /** Planned but not applied (or applied at another version). */
  missing: z.array(aptPackageSchema),
});
export type PlanComparison = z.infer<typeof planComparisonSchema>;

export const aptExecutionResultSchema = z.object({
  planned: z.array(aptPackageSchema),
  applied: z.array(aptChangeSchema),
  installed: z.array(aptChangeSchema),
  removed: z.array(aptChangeSchema),
  held: z.array(z.string()),
  errors: z.array(snapshotErrorSchema).optional(),
  rebootRequiredAfterRun: z.boolean(),
  // Additive fields.
  rebootPkgs: z.array(z.string()).optional(),
  planComparison: planComparisonSchema.optional(),
  /** autoremove / clean: bytes given back to the file system. */
  spaceFreedBytes: z.number().int().nonnegative().optional(),
  /** dpkg_repair: what dpkg reported before and after, and each step with what its simulation said it would do. */
  repair: z
    .object({
      before: z.array(z.object({ name: z.string(), state: z.string() })),
      after: z.array(z.object({ name: z.string(), state: z.string() })),
      steps: z.array(
        z.object({ command: z.string(), simulated: z.array(z.string()), exitCode: z.number().int().nullable() }),
      ),
    })
    .optional(),
});
export type AptExecutionResult = z.infer<typeof aptExecutionResultSchema>;

export const REBOOT_STATUSES = [
  'ok',
  'reboot_command_failed',
  'ssh_never_went_down',
  'machine_did_not_return',
  'boot_id_unchanged',
  'timeout',
] as const;
export type RebootStatus = (typeof REBOOT_STATUSES)[number];

export const rebootResultSchema = z.object({
  beforeBootId: z.string().nullable(),
  afterBootId: z.string().nullable(),
  requestedAt: z.string(),
  sshWentDownAt: z.string().nullable(),
  sshCameBackAt: z.string().nullable(),
  waitedSeconds: z.number().nonnegative(),
  status: z.enum(REBOOT_STATUSES),
  lastRebootDurationSeconds: z.number().nonnegative().optional(),
  nextRecommendedWaitSeconds: z.number().nonnegative().optional(),
  errors: z.array(snapshotErrorSchema).optional(),
});
export type RebootResult = z.infer<typeof rebootResultSchema>;

export const executionResultSchema = z.object({
  executionId: z.string(),
  machineId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  mode: z.enum(['manual', 'scheduled', 'hermes_requested']),
  action: z.enum(ACTION_TYPES),
  status: z.enum(EXECUTION_STATUSES),
  rebootRequiredAfterRun: z.boolean(),
  importantLogLines: z.array(z.string()),
  rawLogRef: z.string(),
  reportRef: z.string(),
  /** Absent means 1 (docs/ARCHITECTURE.md §C1). */
  schemaVersion: z.literal(APT_SCHEMA_VERSION).optional(),
  apt: aptExecutionResultSchema.optional(),
  // Owned by the docker / post-install libs; opaque here so parsing never strips them.
  docker: z.record(z.string(), z.unknown()).optional(),
  reboot: rebootResultSchema.optional(),
  postInstall: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(snapshotErrorSchema).optional(),
});
export type ExecutionResult = z.infer<typeof executionResultSchema>;
