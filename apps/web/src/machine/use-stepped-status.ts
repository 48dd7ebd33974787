import { useEffect, useRef, useState } from 'react';
import type { JobSummaryView } from '../api/types.ts';

type JobStatus = JobSummaryView['status'];

/**
 * How long each state a followed job passes through stays on screen at least. An analysis can now run in under a
 * second, and its `running` and `ok` events can reach the page in one burst: without a dwell a person would see
 * `Queued → Done` and not know it ran.
 */
const DWELL_MS = 600;

/** How far a job has gone: waiting, queued, running, then ended (ok, warning, error, cancelled or skipped). */
function stageOf(status: JobStatus): number {
  return ({ waiting: 0, queued: 1, running: 2 } as Record<string, number>)[status] ?? 3;
}

/** The next state to show on the way to the job's latest one: a job that started is shown running before it ended. */
function nextState(shown: JobStatus, job: JobSummaryView): JobStatus {
  if (stageOf(job.status) === 3 && stageOf(shown) < 2 && job.startedAt) return 'running';
  return job.status;
}

/**
 * The status to show for a followed job: it only moves forward (a refetch that left before the latest event must not
 * show an earlier state again), one state at a time, each for at least {@link DWELL_MS}.
 */
export function useSteppedStatus(job: JobSummaryView): JobStatus {
  const [shown, setShown] = useState(job.status);
  const shownSince = useRef(0);
  const next = stageOf(job.status) > stageOf(shown) ? nextState(shown, job) : shown;
  useEffect(() => {
    shownSince.current = Date.now();
  }, []);
  useEffect(() => {
    if (next === shown) return;
    const timer = setTimeout(
      () => {
        shownSince.current = Date.now();
        setShown(next);
      },
      Math.max(0, shownSince.current + DWELL_MS - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [next, shown]);
  return shown;
}
