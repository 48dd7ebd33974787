import { writeFileSync } from 'node:fs';
import type { CDPSession } from 'playwright-core';

// SU_BENCH_WEB_PROFILE=<file.cpuprofile> records the first load's main-thread CPU profile (open it in Chromium's
// DevTools, Performance panel): where a load's script time goes, function by function.
const target = process.env['SU_BENCH_WEB_PROFILE'];

export async function startProfile(cdp: CDPSession): Promise<void> {
  if (!target) return;
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
}

export async function stopProfile(cdp: CDPSession): Promise<void> {
  if (!target) return;
  const { profile } = await cdp.send('Profiler.stop');
  writeFileSync(target, JSON.stringify(profile));
  console.log(`CPU profile of the first load: ${target}`);
}
