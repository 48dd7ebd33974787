// Once per lab test run, before any worker starts: builds what every lab shares in the cache (the base root file
// system, the catalogue's .debs). Two workers bringing up their labs at once would otherwise both find the cache
// empty and build it into the same directories.
import { ensureHostTools, isRoot } from './host.ts';
import { buildDebs } from './repo-build.ts';
import { ensureBaseRootfs } from './rootfs.ts';

export default async function setup(): Promise<void> {
  if (!isRoot()) return;
  const log = (m: string) => console.log(`[lab cache] ${m}`);
  if (await ensureHostTools(log)) return; // the specs skip themselves and say why
  await ensureBaseRootfs(log);
  await buildDebs();
}
