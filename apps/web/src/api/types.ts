/**
 * Answer shapes the OpenAPI document does not describe yet (the gateway's read routes declare no response schema;
 * request bodies are typed from the document). Type-only imports from the contracts lib: the same source the
 * gateway answers from, erased at build.
 */
export type {
  ActionRequestView,
  JobStatus,
  JobSummaryView,
  MachineEventView,
  MachineStateView,
  MachineView,
} from '@su/contracts';

export interface Me {
  type: 'user' | 'api_client';
  id: string;
  label: string;
  scopes: string[];
  mustChangePassword?: boolean;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** `POST /machines/:id/test-connection` (libs/machine-access ConnectionTestResult; not in contracts). */
export interface ConnectionTestResult {
  ok: boolean;
  reached: 'none' | 'connected' | 'identity' | 'sudo';
  hostKey: { keyType: string; fingerprintSha256: string } | null;
  remoteUser: string | null;
  remoteUid: number | null;
  sudo: 'ok' | 'failed' | 'not_needed' | 'not_checked';
  errorKind: string | null;
  message: string | null;
  remediation: string | null;
}

/** `GET /machines/:id/host-keys` (libs/db HostKeyView). */
export interface HostKeyView {
  id: string;
  keyType: string | null;
  fingerprintSha256: string;
  status: 'approved' | 'pending' | 'changed' | 'superseded' | 'rejected';
  firstSeenAt: string;
  lastSeenAt: string;
  approvedAt: string | null;
  approvedBy: string | null;
}
