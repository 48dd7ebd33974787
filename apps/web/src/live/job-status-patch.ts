import type { QueryClient } from '@tanstack/react-query';
import type { JobSummaryView } from '../api/types.ts';

/**
 * A `job.status` event carries the job's new status and when it started: write them into the followed job's cache
 * entry at once. Its refetch alone can miss a short state (an analysis running for a second answers `ok` by the time
 * it returns).
 */
export function patchJobStatus(queryClient: QueryClient, data: string): void {
  let event: { jobId?: unknown; payload?: { jobId?: unknown; status?: unknown; startedAt?: unknown } };
  try {
    event = JSON.parse(data) as typeof event;
  } catch {
    return;
  }
  const jobId = event.jobId ?? event.payload?.jobId;
  const status = event.payload?.status;
  if (typeof jobId !== 'string' || typeof status !== 'string') return;
  const startedAt = event.payload?.startedAt;
  queryClient.setQueryData<JobSummaryView>(['jobs', jobId], (old) =>
    old
      ? {
          ...old,
          status: status as JobSummaryView['status'],
          startedAt: typeof startedAt === 'string' ? startedAt : old.startedAt,
        }
      : old,
  );
}
