import { useEffect, useRef, useState } from 'react';

/**
 * How long each state a followed job (or a run's machine) passes through stays on screen at least. An analysis can now
 * run in under a second, and its `running` and `ok` events can reach the page in one burst: without a dwell a person
 * would see `Queued → Done` and not know it ran.
 */
const DWELL_MS = 600;

/** How far a job or a run's machine has gone: waiting its turn, queued, running, then ended (whichever way). */
function stageOf(status: string): number {
  return ({ waiting: 0, pending: 0, queued: 1, running: 2 } as Record<string, number>)[status] ?? 3;
}

/** The next state to show on the way to the latest one: what started is shown running before it is shown ended. */
function nextState<S extends string>(shown: S, latest: S, startedAt: string | null): S {
  if (stageOf(latest) === 3 && stageOf(shown) < 2 && startedAt) return 'running' as S;
  return latest;
}

/**
 * The status to show for something followed live: it only moves forward (a refetch that left before the latest event
 * must not show an earlier state again), one state at a time, each for at least {@link DWELL_MS}. What was first seen
 * ended is shown ended at once: only states reached while on screen are stepped through.
 */
export function useSteppedStatus<S extends string>(latest: S, startedAt: string | null): S {
  const [shown, setShown] = useState(latest);
  const shownSince = useRef(0);
  const next = stageOf(latest) > stageOf(shown) ? nextState(shown, latest, startedAt) : shown;
  useEffect(() => {
    shownSince.current = Date.now();
  }, []);
  useEffect(() => {
    if (next === shown) return undefined;
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
