import type { Page } from 'playwright-core';

/**
 * The moments the bench measures, recorded by the page itself (ADR 0041): Playwright's locator waits poll the page
 * from outside (visibility and box checks on the main thread, many times a second), and that polling took 70–130 ms
 * of the very main thread whose time it measured. The definitions are the ones those waits had:
 * - interactive: the fleet's count (`summary-machines` showing the fleet's size) and a machine tile are both visible
 *   (a non-empty box, not `visibility: hidden`), then the next animation frame;
 * - whole fleet: a section holding a visible tile is no longer `aria-busy`, then the next animation frame.
 * A check runs in the first animation frame after the DOM changes (a MutationObserver schedules it), where the
 * browser lays the page out anyway before painting it; the page pays nothing while nothing changes.
 * Page code as a string, like the bench's other page scripts (this workspace's TypeScript has no DOM types).
 */
const observer = (fleet: number) => `(() => {
  const fleet = '${fleet}';
  const done = {};
  const moment = (name) => new Promise((resolve) => (done[name] = resolve));
  window.suMoments = { interactive: moment('interactive'), wholeFleet: moment('wholeFleet') };
  const pending = new Set(Object.keys(done));
  const visible = (el) => {
    if (!el) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  // Playwright's getByText: the innermost element whose text contains the fleet's size.
  const countShown = () => {
    const count = document.querySelector('[data-testid="summary-machines"]');
    if (!count || !(count.textContent || '').includes(fleet)) return false;
    const inner = [...count.querySelectorAll('*')].filter((e) => (e.textContent || '').includes(fleet));
    return visible(inner.at(-1) || count);
  };
  const tileShown = () => visible(document.querySelector('[data-testid="machine-tile"]'));
  const gridIdle = () =>
    [...document.querySelectorAll('section')].some(
      (s) => s.getAttribute('aria-busy') !== 'true' && visible(s.querySelector('[data-testid="machine-tile"]')),
    );
  const reached = { interactive: () => countShown() && tileShown(), wholeFleet: gridIdle };
  // What the first screen drew: the tiles in the DOM, and the grid's top (the rows a screen can show).
  const noteFirstScreen = () => {
    const grid = document.querySelector('[data-testid="machine-grid"]');
    window.suFirstScreen = {
      tiles: document.querySelectorAll('[data-testid="machine-tile"]').length,
      gridTop: grid ? grid.getBoundingClientRect().top : NaN,
    };
  };
  let scheduled = false;
  const check = () => {
    scheduled = false;
    for (const name of [...pending]) {
      if (!reached[name]()) continue;
      pending.delete(name);
      if (name === 'interactive') noteFirstScreen();
      requestAnimationFrame(() => done[name](performance.now()));
    }
    if (pending.size === 0) changes.disconnect();
  };
  const changes = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(check);
  });
  changes.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

/** Installs the observer before any of the page's own scripts run (an init script: not subject to the page's CSP). */
export async function watchMoments(page: Page, fleet: number): Promise<void> {
  await page.addInitScript({ content: observer(fleet) });
}

/** Waits for a moment the page recorded, in ms from navigation start (the page's clock). */
export async function momentOf(page: Page, name: 'interactive' | 'wholeFleet', timeoutMs = 60_000): Promise<number> {
  return page.evaluate<number>(`Promise.race([
    window.suMoments['${name}'],
    new Promise((_, reject) => setTimeout(() => reject(new Error('the dashboard never reached "${name}"')), ${timeoutMs})),
  ])`);
}

/** The tiles in the DOM when the dashboard became interactive, and the grid's top then (px from the viewport's top). */
export async function firstScreenOf(page: Page): Promise<{ tiles: number; gridTop: number }> {
  return page.evaluate<{ tiles: number; gridTop: number }>('window.suFirstScreen');
}
