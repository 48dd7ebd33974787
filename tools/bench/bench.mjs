// npm run bench -- <name...>   (names: queue, web, tiles, ...; none = all). Benchmarks print figures; they are not tests.
// The TypeScript under tools/bench/src is bundled like the apps (decorator metadata, workspace libs) and then run.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = new URL('../..', import.meta.url).pathname;
const gen = spawnSync(process.execPath, [join(root, 'tools/db/generate.mjs')], { stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);
const out = join(root, 'dist/bench/main.js');
await build({
  cwd: root,
  input: join(root, 'tools/bench/src/main.ts'),
  platform: 'node',
  tsconfig: join(root, 'tsconfig.base.json'),
  external: (id) =>
    !id.startsWith('.') &&
    !id.startsWith('/') &&
    !id.startsWith('@su/') &&
    !id.startsWith('@oxc-project/runtime') &&
    !id.startsWith('\0'),
  logLevel: 'warn',
  output: { file: out, format: 'esm', sourcemap: true, codeSplitting: false },
});
const res = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--disable-warning=ExperimentalWarning', out, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
