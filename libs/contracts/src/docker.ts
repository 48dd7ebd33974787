import { z } from 'zod';

// Docker Compose contracts (seed 004 §3): the DockerSnapshot a scan or a check writes, the DockerExecutionResult of an
// apply or a prune, and the API views of stacks, services, roots, alerts and registries. Persisted: add, never rename.

export const DOCKER_STACK_STATUSES = ['candidate', 'enabled', 'ignored', 'error'] as const;
export type DockerStackStatus = (typeof DOCKER_STACK_STATUSES)[number];
/** What a person chooses for a stack; `error` is what a scan finds, and it does not erase the choice. */
export const DOCKER_STACK_CHOICES = ['candidate', 'enabled', 'ignored'] as const;
export type DockerStackChoice = (typeof DOCKER_STACK_CHOICES)[number];

export const DOCKER_SERVICE_STATUSES = ['up_to_date', 'updates_available', 'warning', 'error'] as const;
export type DockerServiceStatus = (typeof DOCKER_SERVICE_STATUSES)[number];

export const DOCKER_PRUNE_MODES = ['safe', 'aggressive'] as const;
export type DockerPruneMode = (typeof DOCKER_PRUNE_MODES)[number];

const nullableString = z.string().nullable().optional();

/** A container as a scan saw it: every container of the daemon, compose or not. */
export const dockerContainerSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  /** created | running | paused | restarting | removing | exited | dead */
  state: z.string(),
  /** healthy | unhealthy | starting, null without a health check. */
  health: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  project: z.string().nullable(),
  service: z.string().nullable(),
});
export type DockerContainer = z.infer<typeof dockerContainerSchema>;

export const dockerSnapshotServiceSchema = z.object({
  serviceName: z.string(),
  /** The image reference of the compose file (`registry/repo:tag`), as `docker compose config` resolves it. */
  image: z.string(),
  currentImageId: nullableString,
  /** The digest the image was pulled by (its RepoDigest for this repository): an index digest for multi-arch images. */
  currentDigest: nullableString,
  candidateImageId: nullableString,
  /** The registry's digest for the reference at the last check (never pulled). */
  candidateDigest: nullableString,
  currentVersion: nullableString,
  candidateVersion: nullableString,
  sourceUrl: nullableString,
  status: z.enum(DOCKER_SERVICE_STATUSES).optional(),
  /** Why the status is `error` or `warning` (registry refusal, no container, ...). */
  statusReason: nullableString,
  /** The service's container, when one exists. */
  containerState: nullableString,
  containerHealth: nullableString,
  /** Newer tags than the pinned one: newest in the same major, newest overall. */
  newerSameMajor: nullableString,
  newerOverall: nullableString,
});
export type DockerSnapshotService = z.infer<typeof dockerSnapshotServiceSchema>;

export const dockerSnapshotStackSchema = z.object({
  name: z.string(),
  workingDir: z.string(),
  composeFiles: z.array(z.string()),
  projectName: nullableString,
  status: z.enum(DOCKER_STACK_STATUSES),
  detectedBy: z.enum(['root_scan', 'label', 'manual']).optional(),
  /** The compose error of a stack in `error` (its file does not parse, a variable is missing, ...). */
  error: nullableString,
  services: z.array(dockerSnapshotServiceSchema),
});
export type DockerSnapshotStack = z.infer<typeof dockerSnapshotStackSchema>;

export const dockerSnapshotSchema = z.object({
  enabled: z.boolean(),
  installed: z.boolean(),
  /** Services with an update available. */
  count: z.number().int(),
  declaredRoots: z.array(z.string()).optional(),
  stacks: z.array(dockerSnapshotStackSchema),
  status: z.enum(['ok', 'updates_available', 'warning', 'error']).optional(),
  serverVersion: nullableString,
  composeVersion: nullableString,
  containers: z.array(dockerContainerSchema).optional(),
});
export type DockerSnapshot = z.infer<typeof dockerSnapshotSchema>;

export interface DockerImageChange {
  stack: string;
  serviceName?: string;
  imageRef?: string;
  fromImageId?: string | null;
  toImageId?: string | null;
  fromDigest?: string | null;
  toDigest?: string | null;
  /** The reference before an apply that changed the tag (`app:1.0` → `app:1.1`). */
  fromRef?: string | null;
  operation: 'pulled' | 'recreated' | 'rolled_back' | 'pruned';
}

export interface DockerExecutionResult {
  pull?: { changes: DockerImageChange[] };
  up?: { recreated: string[]; running: string[]; exited: string[]; unhealthy: string[] };
  rollback?: { asked: boolean; done: boolean; services: string[] };
  /** The failing service's last log lines (an apply whose service did not become running/healthy). */
  failingLogs?: { service: string; lines: string[] }[];
  prune?: { mode: DockerPruneMode; imagesDeleted: string[]; bytesReclaimed: number };
  importantLines?: string[];
}

// ───────────── API views ─────────────

export interface DockerRootView {
  id: string;
  machineId: string;
  path: string;
  enabled: boolean;
  scanDepth: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface DockerServiceView {
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
  checkedAt: string | null;
  updatedAt: string;
}

export interface DockerStackView {
  id: string;
  machineId: string;
  name: string;
  workingDir: string;
  composeFiles: string[];
  projectName: string | null;
  status: DockerStackStatus;
  choice: DockerStackChoice;
  detectedBy: string | null;
  error: string | null;
  lastScanAt: string | null;
  lastUpdateAt: string | null;
  services: DockerServiceView[];
}

export interface DockerAlertView {
  id: string;
  machineId: string;
  stackId: string | null;
  containerName: string;
  severity: string;
  /** exited | unhealthy */
  state: string;
  message: string | null;
  openedAt: string;
  closedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/** One image reference with an update, and who uses it (the fleet view). */
export interface DockerFleetImageView {
  imageRef: string;
  candidateDigest: string | null;
  newerSameMajor: string | null;
  newerOverall: string | null;
  uses: { machineId: string; machineName: string; stackId: string; stackName: string; serviceName: string }[];
}

/** A registry's settings; its credentials are write-only (never in a view: only whether some are set). */
export interface DockerRegistryView {
  id: string;
  host: string;
  insecure: boolean;
  requestBudget: number | null;
  hasCredentials: boolean;
  username: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * One service change an apply is approved for: the service, the reference, and the registry digest seen at check
 * time. In the shared plan shape (approvals.ts `PlannedChange`): name = `stack/service`, targetVersion = digest.
 */
export function dockerPlannedChange(s: { stack: string; service: string; imageRef: string; digest: string | null }) {
  return {
    name: `${s.stack}/${s.service}`,
    arch: null,
    targetVersion: `${s.imageRef}@${s.digest ?? 'unknown'}`,
    operation: 'docker_update',
  };
}
