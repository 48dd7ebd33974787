import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (never a browser downloaded by Playwright). */
export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

// No CSS transition running. A colour-scheme switch (the tests emulate prefers-color-scheme) fades some backgrounds
// over 150 ms (Mantine's accordion items); axe read one frame of it once: light-mode black text on the dark background
// still fading out, a contrast of 1.35 that no person sees.
const TRANSITIONS_SETTLED = `document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running')`;

/** Waits (up to 10 s) for TRANSITIONS_SETTLED. Polled with `evaluate`: `waitForFunction` evaluates its string with
 * `eval`, which the UI's Content-Security-Policy refuses. */
async function transitionsSettled(page: Page): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await page.waitForTimeout(50))
    if (await page.evaluate(TRANSITIONS_SETTLED)) return;
  throw new Error('CSS transitions still running after 10 s');
}

/**
 * axe-core's serious and critical violations on the page as it settles. Injected through the DevTools protocol (not a
 * `<script>` element, which the UI's Content-Security-Policy rightly refuses).
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  await transitionsSettled(page);
  await page.evaluate(axeSource);
  // A string expression: it runs in the page, whose globals (window, axe) this Node program has no types for.
  const violations = (await page.evaluate('axe.run().then((r) => r.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
}
