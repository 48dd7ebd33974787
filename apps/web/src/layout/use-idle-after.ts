import { useEffect, useState } from 'react';

/**
 * False until the browser is idle once `ready` is true (at most a second later): work that can wait for the first
 * paint (the dashboard's charts, the tiles beyond the screen) is done then, not in the frames that show the first
 * tiles (ADR 0041, issue 12's time to interactive).
 */
export function useIdleAfter(ready = true): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if (!ready || idle) return;
    if (!('requestIdleCallback' in window)) {
      const timer = setTimeout(() => setIdle(true), 200);
      return () => clearTimeout(timer);
    }
    const handle = window.requestIdleCallback(() => setIdle(true), { timeout: 1000 });
    return () => window.cancelIdleCallback(handle);
  }, [ready, idle]);
  return idle;
}
