// Issue 15 against a real machine (the lab), one lab start for the file: a recipe's injection literal lands as one
// file's content; the built-in base tools profile installs a lab package and then reports "already applied" without
// running its script; editing a recipe makes version 2 while the machine's state and the earlier execution keep
// version 1; a secret value reaches the script yet no table, log, raw log or report; the automation-user bootstrap
// ends key-only with sudo working and no password stored, and leaves the old credentials when its verification (or
// the old login's sudo) fails. Needs root; skipped otherwise. Bad input (400s) is proven in post-install.int-spec.ts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { CapturingLogger, startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`post-install lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
const INJECTION = `'; rm -rf / #`;
const SECRET = 'Lab-s3cret-tok3n-9f2e71';
const AUTOMATION_USER = 'su-automation';
/** Makes sudo refuse the automation user after the bootstrap's drop-in (sudoers: the last match wins; zz sorts last). */
const DENY_DROP_IN = '/etc/sudoers.d/zz-lab-deny-automation';

describe.skipIf(!!skipReason)('post-install profiles and bootstrap (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let m: LabMachine;
  let id = '';
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);

  const createMachine = async (name: string, username = 'admin', password = ADMIN_PW) => {
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name,
        hostname: m.address,
        port: m.sshPort,
        username,
        credentials: { authMethod: 'password', password, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  /** Runs an action at once and waits for its job. */
  const act = async (machineId: string, body: Record<string, unknown>) => {
    const res = await api('POST', `/api/v1/machines/${machineId}/actions`, { body });
    expect(res.status, res.text).toBe(201);
    return gw.waitJob(res.body.id, 180_000);
  };
  const runRecipe = (machineId: string, recipeId: string, variables: Record<string, unknown> = {}) =>
    act(machineId, { action: 'post_install', recipeId, variables });
  const executionOf = async (jobId: string) =>
    (
      await db.query<{ id: string; status: string; result: any; exit_code: number | null; raw_artifact_id: string }>(
        `SELECT id, status, result, exit_code, raw_artifact_id FROM executions WHERE job_id = $1`,
        [jobId],
      )
    )[0]!;
  const rawLogOf = async (artifactId: string) =>
    (await api('GET', `/api/v1/machines/${id}/raw-logs/${artifactId}`)).text;
  const customRecipe = async (label: string, template: string, manifest: object) => {
    const profile = await api('POST', '/api/v1/install-profiles', { body: { label, category: 'lab' } });
    expect(profile.status, profile.text).toBe(201);
    const recipe = await api('POST', `/api/v1/install-profiles/${profile.body.id}/recipes`, {
      body: { label, template, manifest },
    });
    expect(recipe.status, recipe.text).toBe(201);
    return { profileId: profile.body.id as string, recipeId: recipe.body.id as string };
  };
  const credentialsOf = async (machineId: string) =>
    (
      await db.query<{
        username: string;
        auth_method: string;
        enc_password: string | null;
        enc_private_key: string | null;
        enc_sudo_password: string | null;
      }>(
        `SELECT m.username, c.auth_method, c.enc_password, c.enc_private_key, c.enc_sudo_password
         FROM machines m JOIN machine_credentials c ON c.machine_id = m.id WHERE m.id = $1`,
        [machineId],
      )
    )[0]!;
  const testConnection = async (machineId: string) =>
    (await api('POST', `/api/v1/machines/${machineId}/test-connection`)).body;

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (x) => console.log(`[lab] ${x}`) });
    m = lab.machines()[0]!;
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    id = await createMachine('pi1');
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it('the injection literal is previewed as one quoted word and, run, becomes exactly one file’s content', async () => {
    const { recipeId } = await customRecipe('Write a file', 'printf %s {{content}} > {{target}}\n', {
      variables: { content: { type: 'string', required: true }, target: { type: 'path', required: true } },
    });
    const variables = { content: INJECTION, target: '/tmp/su-injection.txt' };
    const preview = await api('POST', `/api/v1/machines/${id}/install-recipes/${recipeId}/render`, {
      body: { variables },
    });
    expect(preview.body.script).toBe(`printf %s ''\\''; rm -rf / #' > '/tmp/su-injection.txt'\n`);
    const job = await runRecipe(id, recipeId, variables);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    expect((await lab.exec(m.name, 'cat /tmp/su-injection.txt')).stdout).toBe(INJECTION);
    expect((await lab.exec(m.name, 'test -d /usr/bin && test -d /etc && echo intact')).stdout.trim()).toBe('intact');
  });

  it('the built-in base tools profile installs a lab package; run again, its check says "already applied" and the script is not run', async () => {
    const profiles = (await api('GET', '/api/v1/install-profiles')).body as { id: string; key: string | null }[];
    expect(profiles.map((p) => p.key)).toEqual(
      expect.arrayContaining([
        'base_tools',
        'unattended_upgrades_security',
        'timezone_ntp',
        'docker_engine',
        'bootstrap',
      ]),
    );
    const base = (await api('GET', `/api/v1/install-profiles/${profiles.find((p) => p.key === 'base_tools')!.id}`))
      .body;
    const recipeId = base.recipes[0].id as string;
    expect((await lab.exec(m.name, `dpkg-query -W -f='\${Status}' homelab-dep 2>&1 || true`)).stdout).not.toContain(
      'install ok installed',
    );
    const first = await runRecipe(id, recipeId, { packages: ['homelab-dep'] });
    expect(first, JSON.stringify(first)).toMatchObject({ status: 'ok' });
    expect((await lab.exec(m.name, `dpkg-query -W -f='\${Status} \${Version}' homelab-dep`)).stdout).toBe(
      'install ok installed 1.0',
    );
    const e1 = await executionOf(first.id);
    expect(e1.result.postInstall).toMatchObject({ alreadyApplied: false, checkExitCode: 1, exitCode: 0, version: 1 });
    expect(e1.result.postInstall.outputTail.join('\n')).toContain('homelab-dep 1.0');

    const second = await runRecipe(id, recipeId, { packages: ['homelab-dep'] });
    expect(second, JSON.stringify(second)).toMatchObject({ status: 'ok' });
    const e2 = await executionOf(second.id);
    expect(e2).toMatchObject({ status: 'ok', exit_code: null });
    expect(e2.result).toMatchObject({
      status: 'already_applied',
      postInstall: { alreadyApplied: true, checkExitCode: 0 },
    });
    // One command ran on the machine: the check (`sudo sh -s`); the script's apt-get never started.
    const raw = await rawLogOf(e2.raw_artifact_id);
    expect(raw.match(/^\$ sudo sh -s$/gm)).toHaveLength(1);
    expect(raw).not.toContain('apt-get');
    const report = (await api('GET', `/api/v1/machines/${id}/reports`)).body.find(
      (r: { executionId: string }) => r.executionId === e2.id,
    );
    const markdown = (await api('GET', `/api/v1/machines/${id}/reports/${report.id}/download`)).text;
    expect(markdown).toContain('already applied');
    const state = (await api('GET', `/api/v1/machines/${id}/profile-state`)).body.find(
      (s: { profileId: string }) => s.profileId === base.id,
    );
    expect(state).toMatchObject({ status: 'already_applied', version: 1, lastExecutionId: e2.id });
  });

  it('editing a recipe makes version 2; the machine’s state shows it ran version 1; the earlier execution keeps version 1’s script', async () => {
    const { profileId, recipeId } = await customRecipe('Counter', 'echo ran-v1 >> /tmp/su-runs.log\n', {});
    const v1 = await runRecipe(id, recipeId);
    expect(v1).toMatchObject({ status: 'ok' });
    const v2 = await api('POST', `/api/v1/install-recipes/${recipeId}/versions`, {
      body: { template: 'echo ran-v2 >> /tmp/su-runs.log\n', manifest: {} },
    });
    expect(v2.body.version).toBe(2);
    const state = (await api('GET', `/api/v1/machines/${id}/profile-state`)).body.find(
      (s: { profileId: string }) => s.profileId === profileId,
    );
    expect(state).toMatchObject({ status: 'ok', version: 1, currentVersion: 2, outdated: true });
    const executions = (await api('GET', `/api/v1/machines/${id}/executions`)).body as any[];
    const earlier = executions.find((e) => e.id === state.lastExecutionId);
    expect(earlier.result.postInstall).toMatchObject({ version: 1, script: 'echo ran-v1 >> /tmp/su-runs.log\n' });
    expect((await lab.exec(m.name, 'cat /tmp/su-runs.log')).stdout).toBe('ran-v1\n');
  });

  it('a secret reaches the script (on stdin), yet never the stored script, execution, report, raw log, service logs or any table', async () => {
    const { profileId, recipeId } = await customRecipe(
      'Secret',
      'printf %s {{token}} > /tmp/su-secret.txt\necho token={{token}}\necho warning: the token was printed on purpose\n',
      { variables: { token: { type: 'secret', required: true } } },
    );
    const preset = await api('POST', '/api/v1/variable-presets', {
      body: { scope: 'profile', profileId, name: 'lab token', variables: {}, secrets: { token: SECRET } },
    });
    expect(preset.status, preset.text).toBe(201);
    const job = await runRecipe(id, recipeId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    expect((await lab.exec(m.name, 'cat /tmp/su-secret.txt')).stdout).toBe(SECRET);
    const e = await executionOf(job.id);
    expect(e.result.postInstall.script).toContain('"${SU_SECRET_token}"');
    expect(e.result.postInstall.outputTail).toContain('token=[REDACTED]');
    const messages = (await api('GET', `/api/v1/machines/${id}/important-messages`)).body as { message: string }[];
    expect(messages.map((x) => x.message)).toContain('warning: the token was printed on purpose');
    await expectNowhere([SECRET]);
  });

  it('bootstrap: a failing sudo of the old login, then a failing verification, each leave the old credentials and the machine reachable', async () => {
    const boot = await createMachine('boot-fail');
    const before = await credentialsOf(boot);
    await lab.breakSudo(m.name);
    try {
      const job = await act(boot, { action: 'bootstrap' });
      expect(job).toMatchObject({ status: 'error', errorKind: 'sudo_failed' });
    } finally {
      await lab.fixSudo(m.name);
    }
    await lab.exec(
      m.name,
      `echo '${AUTOMATION_USER} ALL=(ALL:ALL) !ALL' > ${DENY_DROP_IN} && chmod 440 ${DENY_DROP_IN}`,
    );
    try {
      const job = await act(boot, { action: 'bootstrap' });
      expect(job).toMatchObject({ status: 'error', errorKind: 'bootstrap_verify_failed' });
    } finally {
      await lab.exec(m.name, `rm -f ${DENY_DROP_IN}`);
    }
    expect(await credentialsOf(boot)).toEqual(before);
    expect(await testConnection(boot)).toMatchObject({ ok: true });
    expect((await api('GET', `/api/v1/machines/${boot}/bootstrap-state`)).body).toMatchObject({
      status: 'failed',
      automationUser: AUTOMATION_USER,
    });
  });

  it('bootstrap: ends with a key-only login as the automation user, sudo working and no password stored', async () => {
    const boot = await createMachine('boot-ok');
    const job = await act(boot, { action: 'bootstrap', disablePassword: true });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    const creds = await credentialsOf(boot);
    expect(creds).toMatchObject({
      username: AUTOMATION_USER,
      auth_method: 'ssh_key',
      enc_password: null,
      enc_sudo_password: null,
    });
    expect(creds.enc_private_key).toBeTruthy();
    expect((await api('GET', `/api/v1/machines/${boot}`)).body.bootstrapStatus).toBe('done');
    expect((await api('GET', `/api/v1/machines/${boot}/bootstrap-state`)).body).toMatchObject({
      status: 'done',
      automationUser: AUTOMATION_USER,
      errorMessage: null,
    });
    expect(await testConnection(boot)).toMatchObject({ ok: true });
    // sudo through the new credentials: a recipe that only root can run.
    const { recipeId } = await customRecipe('As root', 'id -u > /root/su-whoami\ncat /root/su-whoami\n', {});
    const asRoot = await runRecipe(boot, recipeId);
    expect(asRoot, JSON.stringify(asRoot)).toMatchObject({ status: 'ok' });
    expect((await executionOf(asRoot.id)).result.postInstall.outputTail).toEqual(['0']);
    // Key only: no password can log in as the automation user.
    const withPassword = await createMachine('boot-pw', AUTOMATION_USER, ADMIN_PW);
    expect(await testConnection(withPassword)).toMatchObject({ ok: false });
    expect(
      (await lab.exec(m.name, `visudo -c -q && cat /etc/sudoers.d/90-system-update-${AUTOMATION_USER}`)).stdout,
    ).toBe(`${AUTOMATION_USER} ALL=(ALL:ALL) NOPASSWD: ALL\n`);
  });

  /** The secrets search of the APT lab specs, extended to reports: every table, the service logs, raw logs, reports. */
  async function expectNowhere(secrets: string[]) {
    const tables = await db.query<{ table_name: string; table_schema: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE'`,
    );
    for (const { table_schema, table_name } of tables) {
      const all = await db.query(`SELECT * FROM "${table_schema}"."${table_name}"`);
      const dump = JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      for (const s of secrets) expect(dump.includes(s), `${table_schema}.${table_name} contains a secret`).toBe(false);
    }
    const logs = CapturingLogger.lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logs.includes(s), 'service logs contain a secret').toBe(false);
    const files = await db.query<{ path: string }>(`SELECT path FROM raw_artifacts UNION ALL SELECT path FROM reports`);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const text = readFileSync(f.path, 'utf8');
      for (const s of secrets) expect(text.includes(s), `${f.path} contains a secret`).toBe(false);
    }
  }
});
