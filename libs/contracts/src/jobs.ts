import { z } from 'zod';
import { approvedPlanSchema } from './approved-plan.ts';
import { maintenanceOptionsSchema } from './maintenance.ts';
import type { ErrorKind } from './error-kinds.ts';
import { recipeValuesSchema } from './recipe-values.ts';

/** A compose service name (compose's own rule). */
export const DOCKER_SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;
/** An image tag (the distribution spec's rule). */
export const DOCKER_TAG = /^[\w][\w.-]{0,127}$/;

/**
 * `waiting`: a later step of a schedule run, created at fan-out and released to the queue only when the machine's
 * previous step ended ok. `skipped`: a waiting step that will never run (an earlier step failed, the maintenance
 * window closed, or its approval was rejected or expired).
 */
export const JOB_STATUSES = ['waiting', 'queued', 'running', 'ok', 'warning', 'error', 'cancelled', 'skipped'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ['ok', 'warning', 'error', 'cancelled', 'skipped'];

export const REQUESTER_TYPES = ['user', 'api_client', 'system', 'schedule', 'hermes'] as const;
export type RequesterType = (typeof REQUESTER_TYPES)[number];

/** Who asked for something; recorded on jobs and events. */
export interface Actor {
  type: RequesterType;
  id: string | null;
  /** Human label for timelines (username or token label), never a secret. */
  label?: string;
}

/**
 * The job kinds, their queue, payload schema and owning service. Queue names and payloads are persisted
 * contracts: never rename a kind; evolve a payload only by adding optional fields.
 */
export const JOB_DEFINITIONS = {
  'system.selftest': {
    owner: 'apt-worker',
    payload: z.strictObject({ echo: z.string().max(200).optional() }),
    result: z.strictObject({ echo: z.string().nullable(), service: z.string(), pid: z.number().int() }),
  },
  'machine.probe': {
    owner: 'apt-worker',
    payload: z.strictObject({}),
    result: z.strictObject({
      snapshotId: z.string(),
      os: z.string(),
      arch: z.string().nullable(),
      virtualization: z.string(),
      machineKind: z.string(),
    }),
  },
  // APT and reboot jobs (issue 5). Queue names are persisted: never rename.
  'apt.update_analyze': {
    owner: 'apt-worker',
    payload: z.strictObject({}),
    result: z
      .object({ snapshotId: z.string(), status: z.string(), updates: z.number().int(), security: z.number().int() })
      .passthrough(),
  },
  'apt.upgrade': {
    owner: 'apt-worker',
    payload: z.strictObject({
      approvedPlan: approvedPlanSchema.optional(),
      /** Only these packages (apt-get install --only-upgrade); absent: everything `upgrade` would do. */
      packages: z
        .array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$/))
        .min(1)
        .max(500)
        .optional(),
      keepLocalConfig: z.boolean().optional(),
    }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  'apt.dist_upgrade': {
    owner: 'apt-worker',
    payload: z.strictObject({ keepLocalConfig: z.boolean().optional(), approvedPlan: approvedPlanSchema.optional() }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  'apt.autoremove': {
    owner: 'apt-worker',
    payload: z.strictObject({ approvedPlan: approvedPlanSchema.optional() }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  'apt.clean': {
    owner: 'apt-worker',
    payload: z.strictObject({}),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  /** Finishes what an interrupted dpkg left: `dpkg --configure -a`, reinstalls, `apt-get -f install` (simulated first). */
  'apt.dpkg_repair': {
    owner: 'apt-worker',
    payload: z.strictObject({}),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  'machine.reboot_verified': {
    owner: 'apt-worker',
    payload: z.strictObject({ maxWaitSeconds: z.number().int().min(10).max(3600).optional() }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  // Docker Compose jobs (issue 13), owned by the docker-worker. Queue names are persisted: never rename.
  /** Finds the compose stacks (declared roots and running projects' labels), their services, images and containers. */
  'docker.scan': {
    owner: 'docker-worker',
    payload: z.strictObject({}),
    result: z.object({ snapshotId: z.string(), status: z.string(), stacks: z.number().int() }).passthrough(),
  },
  /**
   * Asks the registries for the digest of each image reference, without pulling: the machine's (machineId set) or the
   * whole fleet's (no machine), one request per unique reference.
   */
  'docker.check': {
    owner: 'docker-worker',
    payload: z.strictObject({}),
    result: z.object({ references: z.number().int(), updates: z.number().int() }).passthrough(),
  },
  /** Pulls and recreates the services of one stack (or the chosen ones) whose image changed. */
  'docker.apply': {
    owner: 'docker-worker',
    payload: z.strictObject({
      stackId: z.string().uuid().optional(),
      services: z.array(z.string().regex(DOCKER_SERVICE_NAME)).min(1).max(200).optional(),
      /** Roll the recreated services back to their previous image when one does not become running/healthy. */
      rollback: z.boolean().optional(),
      healthTimeoutSeconds: z.number().int().min(5).max(3600).optional(),
      /** A newer tag for the one chosen service: the compose file is changed to it (`1.0` → `1.1`). */
      tag: z.string().regex(DOCKER_TAG).optional(),
      approvedPlan: approvedPlanSchema.optional(),
    }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  'docker.prune': {
    owner: 'docker-worker',
    payload: z.strictObject({ mode: z.enum(['safe', 'aggressive']).optional() }),
    result: z.object({ executionId: z.string(), status: z.string(), bytesReclaimed: z.number() }).passthrough(),
  },
  // Post-install jobs (issue 15), owned by the apt-worker. Queue names are persisted: never rename.
  /**
   * Runs one recipe (its current version, or the one named) on the machine: the check first, then the script. The
   * request's values are non-secret (secret values come from the encrypted presets at run time, never a payload).
   */
  'post_install.run': {
    owner: 'apt-worker',
    payload: z.strictObject({
      recipeId: z.string().uuid(),
      versionId: z.string().uuid().optional(),
      variables: recipeValuesSchema.optional(),
    }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  /** Creates the automation user with a fresh ed25519 key, verifies it, then switches the machine's credentials. */
  'machine.bootstrap': {
    owner: 'apt-worker',
    payload: z.strictObject({
      username: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]{0,30}$/)
        .optional(),
      disablePassword: z.boolean().optional(),
    }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  /**
   * The locked maintenance run (issue 14): the apt-worker coordinates it, holding the machine's lock from the first
   * part to the last; its parts are child jobs allowed under that lock (ADR 0031).
   */
  'machine.maintenance': {
    owner: 'apt-worker',
    payload: z.strictObject({
      options: maintenanceOptionsSchema.optional(),
      approvedPlan: approvedPlanSchema.optional(),
    }),
    result: z.object({ executionId: z.string(), status: z.string() }).passthrough(),
  },
  /**
   * Host metrics (issue 20, ADR 0044): a light read-only sample (load, memory, file systems, uptime) kept in
   * host_metrics. The scheduler queues one per reachable machine in one batch at the configured interval.
   */
  'machine.metrics_sample': {
    owner: 'apt-worker',
    payload: z.strictObject({}),
    result: z.object({ collectedAt: z.string(), diskMaxUsedPercent: z.number() }).passthrough(),
  },
  'docker.selftest': {
    owner: 'docker-worker',
    payload: z.strictObject({ echo: z.string().max(200).optional() }),
    result: z.strictObject({ echo: z.string().nullable(), service: z.string(), pid: z.number().int() }),
  },
} as const;

export type JobKind = keyof typeof JOB_DEFINITIONS;
export type JobPayload<K extends JobKind> = z.infer<(typeof JOB_DEFINITIONS)[K]['payload']>;
export type JobResult<K extends JobKind> = z.infer<(typeof JOB_DEFINITIONS)[K]['result']>;
export type WorkerService = (typeof JOB_DEFINITIONS)[JobKind]['owner'];

export const JOB_KINDS = Object.keys(JOB_DEFINITIONS) as JobKind[];

/**
 * Read-only SSH jobs: they wait on the machine and the network, not on this host's CPU, and a fleet-wide pass queues
 * one per machine. A worker runs many of them at once (`SU_WORKER_READ_CONCURRENCY`), the others at
 * `SU_WORKER_CONCURRENCY` (ADR 0047).
 */
export const READ_ONLY_SSH_JOB_KINDS: ReadonlySet<JobKind> = new Set<JobKind>([
  'machine.probe',
  'apt.update_analyze',
  'machine.metrics_sample',
]);

export function isJobKind(value: unknown): value is JobKind {
  return typeof value === 'string' && Object.hasOwn(JOB_DEFINITIONS, value);
}

export function jobKindsOwnedBy(service: string): JobKind[] {
  return JOB_KINDS.filter((k) => JOB_DEFINITIONS[k].owner === service);
}

/** The message carried by the queue: the `jobs` row id and the validated payload. */
export interface JobMessage<K extends JobKind = JobKind> {
  jobId: string;
  kind: K;
  /** The machine the job acts on, when it acts on one. */
  machineId: string | null;
  payload: JobPayload<K>;
}

export class InvalidJobPayloadError extends Error {
  readonly errorKind: ErrorKind = 'invalid_payload';
  constructor(
    readonly kind: string,
    readonly issues: string[],
  ) {
    super(`invalid payload for job ${kind}: ${issues.join('; ')}`);
  }
}

/** Validates a payload against its kind's schema; throws InvalidJobPayloadError naming each bad field. */
export function parseJobPayload<K extends JobKind>(kind: K, payload: unknown): JobPayload<K> {
  const res = JOB_DEFINITIONS[kind].payload.safeParse(payload ?? {});
  if (!res.success) {
    throw new InvalidJobPayloadError(
      kind,
      res.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return res.data as JobPayload<K>;
}

export interface JobView {
  id: string;
  kind: string;
  machineId: string | null;
  scheduleId: string | null;
  requestId: string | null;
  status: JobStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempt: number;
  requestedBy: { type: string | null; id: string | null };
  payload: unknown;
  result: unknown;
  errorKind: string | null;
  errorMessage: string | null;
  cancelRequestedAt: string | null;
  retryOfJobId: string | null;
  /** Set on the steps of a schedule run (see `schedule_run_machines`). */
  runMachineId: string | null;
  step: number | null;
}

/**
 * A job in a list: everything but its payload and result, which can be large (an upgrade's package list, a report)
 * and are read on the job's own route.
 */
export type JobSummaryView = Omit<JobView, 'payload' | 'result'>;
