import type { Page } from 'playwright-core';

/*
 * Every status text each schedule run machine's badge showed, in order, recorded in the page by a MutationObserver:
 * what a person watching would have seen, with no reload. A string expression: it runs in the page, whose globals this
 * Node program has no types for.
 */
const RECORDER = `(() => {
  window.suSeen = {};
  const note = () => {
    for (const row of document.querySelectorAll('[data-testid="run-machine"]')) {
      const id = row.getAttribute('data-machine-id');
      const text = row.querySelector('[data-testid="run-status"]')?.textContent ?? '';
      const seen = (window.suSeen[id] ??= []);
      if (seen[seen.length - 1] !== text) seen.push(text);
    }
  };
  new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  note();
})()`;

/** Starts recording on the page as it is now. */
export async function recordRunStatuses(page: Page): Promise<void> {
  await page.evaluate(RECORDER);
}

/** The statuses each run machine showed so far, keyed by machine id. */
export async function runStatusesSeen(page: Page): Promise<Record<string, string[]>> {
  return (await page.evaluate('window.suSeen')) as Record<string, string[]>;
}

/* Every text the followed job's status badge (machine page, after an action) showed, in order. */
const FOLLOWED_JOB_RECORDER = `(() => {
  window.suFollowed = [];
  const note = () => {
    const text = document.querySelector('[data-testid="followed-job"] [data-testid="job-status"]')?.textContent?.trim();
    if (text && window.suFollowed[window.suFollowed.length - 1] !== text) window.suFollowed.push(text);
  };
  new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  note();
})()`;

/** Starts recording the followed job's badge on the page as it is now (before the action that queues the job). */
export async function recordFollowedJobStates(page: Page): Promise<void> {
  await page.evaluate(FOLLOWED_JOB_RECORDER);
}

/** The statuses the followed job's badge showed so far. */
export async function followedJobStatesSeen(page: Page): Promise<string[]> {
  return (await page.evaluate('window.suFollowed')) as string[];
}
