// Bundles each app into dist/apps/<name>/main.js (ESM). Workspace libs (@su/*) and the generated Prisma client
// are bundled; npm packages stay external and load from node_modules. Rolldown's Oxc transform emits the decorator
// metadata NestJS's dependency injection reads (docs/adr/0003-build-and-test-toolchain.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

const root = new URL('../..', import.meta.url).pathname;
const gen = spawnSync(process.execPath, [join(root, 'tools/db/generate.mjs')], { stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);

const only = process.argv.slice(2);
const apps = readdirSync(join(root, 'apps')).filter(
  (a) => existsSync(join(root, 'apps', a, 'src/main.ts')) && (only.length === 0 || only.includes(a)),
);
const isExternal = (id) =>
  !id.startsWith('.') &&
  !id.startsWith('/') &&
  !id.startsWith('@su/') &&
  !id.startsWith('@oxc-project/runtime') &&
  !id.startsWith('\0');

/** True when the npm package `id` comes from says in its package.json that importing it has no side effects. */
const declaredPure = new Map();
function declaresNoSideEffects(id) {
  const name = id.split('/').slice(0, id.startsWith('@') ? 2 : 1).join('/');
  if (!declaredPure.has(name)) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    declaredPure.set(name, existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).sideEffects === false);
  }
  return declaredPure.get(name);
}

/**
 * What tree-shaking may leave out when nothing of it is used (ADR 0053). A DTO module only declares classes the HTTP
 * layer validates and documents: its decorators register them with class-validator and Swagger, which matters only
 * when the class is used; so a worker that uses no DTO loads neither `@nestjs/swagger` nor class-validator. An npm
 * package that declares itself free of side effects (`"sideEffects": false`) is not imported for nothing either
 * (e.g. the OpenTelemetry SDK a lib's index re-exports for tests). Everything else: rolldown's own rules.
 */
function moduleSideEffects(id, external) {
  if (external) return declaresNoSideEffects(id) ? false : undefined;
  return id.endsWith('.dto.ts') ? false : undefined;
}

/** Moves `fresh` to `dir`, the previous `dir` out of the way first; another build doing the same may interleave. */
function swapIn(fresh, dir, old) {
  for (let attempt = 0; ; attempt++) {
    rmSync(old, { recursive: true, force: true });
    try {
      if (existsSync(dir)) renameSync(dir, old);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    try {
      renameSync(fresh, dir);
      break;
    } catch (e) {
      if ((e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') || attempt > 5) throw e;
    }
  }
  rmSync(old, { recursive: true, force: true });
}

const t0 = Date.now();
// Each bundle is built beside its place and swapped in by two renames: a test of another lab running at the same time
// may be starting the same service from dist/apps/<app> (it never finds the directory emptied by a rebuild).
for (const app of apps) {
  const outDir = join(root, 'dist/apps', app);
  const building = join(root, 'dist/apps', `.${app}.building-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  await build({
    cwd: root,
    input: join(root, 'apps', app, 'src/main.ts'),
    platform: 'node',
    tsconfig: join(root, 'tsconfig.base.json'),
    external: isExternal,
    treeshake: { moduleSideEffects },
    // An import that does not resolve would become a runtime crash of a service; fail the build instead.
    onLog(level, log, handler) {
      if (log.code === 'UNRESOLVED_IMPORT') throw new Error(`${app}: ${log.message}`);
      handler(level, log);
    },
    // A service holds its bundle's source in memory for its life: ASCII and without doc comments, since one character
    // above U+00FF anywhere makes V8 store the whole source as two bytes a character. Node keeps the parsed source map
    // too (stack traces name the TypeScript files and lines): its mappings, not a copy of every source (ADR 0053).
    output: {
      dir: building,
      format: 'esm',
      entryFileNames: 'main.js',
      sourcemap: true,
      sourcemapExcludeSources: true,
      codeSplitting: false,
      charset: 'ascii',
      comments: { legal: true, annotation: true, jsdoc: false },
    },
  });
  swapIn(building, outDir, join(root, 'dist/apps', `.${app}.old-${process.pid}`));
}
// The web UI (ADR 0019): a Vite build into dist/apps/web, which the gateway serves at `/`.
if (only.length === 0 || only.includes('web')) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: join(root, 'apps/web/vite.config.ts'), logLevel: 'warn' });
  apps.push('web');
}
console.log(`built ${apps.join(', ')} in ${Date.now() - t0} ms`);
