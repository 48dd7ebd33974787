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
