import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/*
 * The layout rules of docs/ARCHITECTURE.md §3 are enforced by lint, not by memory. This proves the lint catches the two
 * classic violations, by linting probe sources as if they were files of the projects (nothing is written to disk).
 */
let eslint: ESLint;
beforeAll(async () => {
  // The Nx rule reads the cached project graph and skips itself (a warning, no error) when there is none, as in a
  // fresh clone where `nx lint` never ran: build the graph first so these tests hold on their own.
  await createProjectGraphAsync({ exitOnError: false });
  eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
}, 120_000);

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [res] = await eslint.lintText(code, { filePath });
  return res!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  it('reject @prisma/client imported by an app', async () => {
    const errors = await ruleIds(
      'apps/gateway/src/probe.ts',
      `import { PrismaClient } from '@prisma/client';\nexport const c = PrismaClient;\n`,
    );
    expect(errors.join('\n')).toMatch(/no-restricted-imports: .*Only libs\/db may import this package/);
  });

  it('reject pg-boss imported outside the queue lib', async () => {
    const errors = await ruleIds(
      'libs/machines/src/probe.ts',
      `import { PgBoss } from 'pg-boss';\nexport const b = PgBoss;\n`,
    );
    expect(errors.join('\n')).toMatch(/Only libs\/queue may import this package/);
  });

  it('reject one feature lib importing another', async () => {
    const errors = await ruleIds(
      'libs/machines/src/probe.ts',
      `import { AuthService } from '@su/auth';\nexport const a = AuthService;\n`,
    );
    expect(errors.join('\n')).toMatch(
      /@nx\/enforce-module-boundaries: A project tagged with "type:feature" can only depend on libs tagged with/,
    );
  });

  it('reject the platform importing runs, schedules or approvals (the runtime knows no run)', async () => {
    for (const [lib, name] of [
      ['@su/runs', 'ScheduleRunAdvancer'],
      ['@su/schedules', 'ScheduleFiringService'],
      ['@su/approvals', 'ActionRequestsService'],
    ]) {
      const errors = await ruleIds('libs/platform/src/probe.ts', `import { ${name} } from '${lib}';\nexport const x = ${name};\n`);
      // Runs and the features import the platform, so the import is refused as a cycle when not first by its tag.
      expect(errors.join('\n'), lib).toMatch(
        /@nx\/enforce-module-boundaries: (A project tagged with "type:platform" can only depend on libs tagged with|Circular dependency)/,
      );
    }
  });

  it('reject the OpenTelemetry SDK anywhere but libs/telemetry-sdk, and that lib anywhere but an app (ADR 0034)', async () => {
    const sdk = await ruleIds(
      'libs/ssh/src/probe.ts',
      `import { TracerProvider } from '@opentelemetry/sdk-trace';\nexport const p = TracerProvider;\n`,
    );
    expect(sdk.join('\n')).toMatch(/Only libs\/telemetry-sdk may import this package/);
    const api = await ruleIds('libs/ssh/src/probe.ts', `import { trace } from '@opentelemetry/api';\nexport const t = trace;\n`);
    expect(api.join('\n')).toMatch(/Only libs\/telemetry may import this package/);
    const lib = await ruleIds(
      'libs/platform/src/probe.ts',
      `import { startTracing } from '@su/telemetry-sdk';\nexport const s = startTracing;\n`,
    );
    expect(lib.join('\n')).toMatch(/A project tagged with "type:platform" can only depend on libs tagged with/);
    const app = await ruleIds(
      'apps/apt-worker/src/probe.ts',
      `import { startTracing } from '@su/telemetry-sdk';\nexport const s = startTracing;\n`,
    );
    expect(app).toEqual([]);
  });

  it('reject runs importing a feature lib', async () => {
    const errors = await ruleIds(
      'libs/runs/src/probe.ts',
      `import { ActionRequestsService } from '@su/approvals';\nexport const a = ActionRequestsService;\n`,
    );
    expect(errors.join('\n')).toMatch(
      /@nx\/enforce-module-boundaries: (A project tagged with "type:runs" can only depend on libs tagged with|Circular dependency)/,
    );
    // A feature that runs does not import (reboot) is refused by its tag alone.
    const byTag = await ruleIds(
      'libs/runs/src/probe.ts',
      `import { recommendedWaitSeconds } from '@su/reboot';\nexport const r = recommendedWaitSeconds;\n`,
    );
    expect(byTag.join('\n')).toMatch(
      /@nx\/enforce-module-boundaries: A project tagged with "type:runs" can only depend on libs tagged with/,
    );
  });

  it('reject process.env outside the config lib', async () => {
    const errors = await ruleIds('libs/platform/src/probe.ts', `export const u = process.env['DATABASE_URL'];\n`);
    expect(errors.join('\n')).toMatch(/no-restricted-properties/);
  });

  it('accept the allowed direction (app → feature lib, feature → runs → platform, db lib → @prisma)', async () => {
    expect(
      await ruleIds(
        'libs/approvals/src/probe.ts',
        `import { ScheduleRunAdvancer } from '@su/runs';\nexport const r = ScheduleRunAdvancer;\n`,
      ),
    ).toEqual([]);
    expect(
      await ruleIds('libs/runs/src/probe.ts', `import { JobCloseHooks } from '@su/platform';\nexport const h = JobCloseHooks;\n`),
    ).toEqual([]);
    expect(
      await ruleIds(
        'apps/gateway/src/probe.ts',
        `import { MachinesService } from '@su/machines';\nexport const m = MachinesService;\n`,
      ),
    ).toEqual([]);
    expect(
      await ruleIds(
        'libs/db/src/probe.ts',
        `import { PrismaPg } from '@prisma/adapter-pg';\nexport const p = PrismaPg;\n`,
      ),
    ).toEqual([]);
  });
});
