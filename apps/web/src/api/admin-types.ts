/**
 * Answer shapes of the settings and schedules routes (their read routes declare no response schema yet; the gateway
 * answers them from `@su/db` views, which the web may not import: ADR 0019). Kept to the fields the UI reads.
 */
import type { MachineAction, Scope, UserRole } from '@su/contracts';

export interface MachineScope {
  tags?: string[];
  machineIds?: string[];
}

export interface ApiClientView {
  id: string;
  label: string;
  clientKind: string;
  tokenPrefix: string;
  scopes: Scope[];
  status: string;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string | null;
  machineScope: MachineScope | null;
}

export interface UserView {
  id: string;
  username: string;
  role: UserRole;
  isActive: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lastLoginAt: string | null;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  current: boolean;
}

export interface ScheduleScope {
  all?: boolean;
  tags?: string[];
  machineIds?: string[];
  excludeMachineIds?: string[];
}

export type ApprovalPolicy = 'none' | 'require_approval' | 'analyse_only';

export interface ScheduleView {
  id: string;
  name: string;
  enabled: boolean;
  cron: string;
  timezone: string;
  scope: ScheduleScope;
  actions: MachineAction[];
  concurrency: number;
  approvalPolicy: ApprovalPolicy;
  windowMinutes: number | null;
  nextRunAt: string | null;
  lastRunAt: string | null;
}

export interface RunMachineView {
  machineId: string;
  position: number;
  status: string;
  currentStep: number;
  startedAt: string | null;
  finishedAt: string | null;
  errorKind: string | null;
  errorMessage: string | null;
}

export interface RunView {
  id: string;
  scheduleId: string;
  slotAt: string;
  status: string;
  reason: string | null;
  firedAt: string;
  finishedAt: string | null;
  actions: MachineAction[];
  machineCount: number;
  machines: RunMachineView[];
}

export interface SchedulePreview {
  nextRuns: string[];
  machineIds: string[];
}

/** `GET /discovery/settings` (libs/discovery DiscoverySettings). */
export interface DiscoverySettingsView {
  allowedCidrs: string[];
  maxAddresses: number;
  concurrency: number;
  connectsPerSecond: number;
  connectTimeoutMs: number;
  reverseDns: boolean;
}

/** `GET /discovery/scans/:id` (libs/db DiscoveryScanView). */
export interface DiscoveryScanView {
  id: string;
  cidr: string;
  ports: number[];
  status: 'running' | 'done' | 'failed';
  total: number;
  probed: number;
  found: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

/** `GET /discovery/scans/:id/candidates` (libs/db DiscoveryCandidateView). */
export interface DiscoveryCandidateView {
  id: string;
  host: string;
  port: number;
  service: 'ssh' | 'tcp';
  banner: string | null;
  keyType: string | null;
  hostKeyFingerprint: string | null;
  reverseDns: string | null;
  alreadyKnown: boolean;
  knownMachineId: string | null;
}
