import type { CDPSession, Page } from 'playwright-core';

/** Where one dashboard load's time went, in ms from navigation start (page clock) or as main-thread totals (CDP). */
export interface LoadBreakdown {
  html: number;
  css: number;
  initialJs: number;
  scriptsRun: number;
  meStart: number;
  meEnd: number;
  fleetStart: number;
  fleetFirstEnd: number;
  fleetEnd: number;
  interactive: number;
  wholeFleet: number;
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
  jsKb: number;
  cssKb: number;
  tiles: number;
  gridTop: number;
}

const ROWS: [keyof LoadBreakdown, string][] = [
  ['html', 'index.html received (responseEnd)'],
  ['css', 'CSS received (last stylesheet responseEnd)'],
  ['initialJs', 'initial JS received (last script before DOMContentLoaded)'],
  ['scriptsRun', 'entry modules evaluated (DOMContentLoaded end)'],
  ['meStart', 'session check sent'],
  ['meEnd', 'session check answered'],
  ['fleetStart', 'first fleet request sent'],
  ['fleetFirstEnd', 'first fleet request answered'],
  ['fleetEnd', 'last fleet request answered'],
  ['interactive', 'time to interactive (tiles + count + next frame, seen in the page)'],
  ['wholeFleet', 'whole fleet shown (grid no longer busy, next frame, seen in the page)'],
  ['scriptMs', 'main thread: script total (CDP ScriptDuration)'],
  ['styleMs', 'main thread: style recalc total (CDP)'],
  ['layoutMs', 'main thread: layout total (CDP)'],
  ['jsKb', 'JS transferred before interactive, KB (compressed)'],
  ['cssKb', 'CSS transferred, KB (compressed)'],
  ['tiles', 'tiles in the DOM at interactive'],
  ['gridTop', "the grid's top at interactive, px from the viewport's top"],
];

/** Starts the main-thread counters before the navigation (they count from Performance.enable). */
export async function startCounters(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  return cdp;
}

/** Reads the Resource/Navigation Timing entries and the CDP counters once the dashboard is interactive. */
export async function readBreakdown(
  page: Page,
  cdp: CDPSession,
  at: { interactive: number; wholeFleet: number; tiles: number; gridTop: number },
): Promise<LoadBreakdown> {
  const timing = await page.evaluate<
    Omit<LoadBreakdown, 'interactive' | 'wholeFleet' | 'tiles' | 'gridTop' | 'scriptMs' | 'styleMs' | 'layoutMs'>
  >(`(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const api = (p) => res.filter((r) => new URL(r.name).pathname === p);
    const dcl = nav.domContentLoadedEventEnd;
    const js = res.filter((r) => r.name.endsWith('.js') && r.startTime < dcl);
    const css = res.filter((r) => r.name.endsWith('.css'));
    const me = api('/api/v1/auth/me')[0];
    const fleet = api('/api/v1/machines');
    const max = (xs, f) => xs.reduce((m, x) => Math.max(m, f(x)), 0);
    return {
      html: nav.responseEnd,
      css: max(css, (r) => r.responseEnd),
      initialJs: max(js, (r) => r.responseEnd),
      scriptsRun: dcl,
      meStart: me ? me.startTime : NaN,
      meEnd: me ? me.responseEnd : NaN,
      fleetStart: fleet.length ? Math.min(...fleet.map((r) => r.startTime)) : NaN,
      fleetFirstEnd: fleet.length ? Math.min(...fleet.map((r) => r.responseEnd)) : NaN,
      fleetEnd: max(fleet, (r) => r.responseEnd),
      jsKb: res.filter((r) => r.name.endsWith('.js') && r.startTime < ${at.interactive}).reduce((s, r) => s + r.transferSize, 0) / 1024,
      cssKb: css.reduce((s, r) => s + r.transferSize, 0) / 1024,
    };
  })()`);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const ms = (name: string) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
  return {
    ...timing,
    ...at,
    scriptMs: ms('ScriptDuration'),
    styleMs: ms('RecalcStyleDuration'),
    layoutMs: ms('LayoutDuration'),
  };
}

/** One row per step, the median over the loads (and over a compared UI's loads in a second column). */
export function breakdownRows(loads: LoadBreakdown[], compared?: LoadBreakdown[]): (string | number)[][] {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const cell = (of: LoadBreakdown[], key: keyof LoadBreakdown) => Math.round(median(of.map((l) => l[key])) * 10) / 10;
  return ROWS.map(([key, label]) => [label, cell(loads, key), ...(compared ? [cell(compared, key)] : [])]);
}
