import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();

const INJECTION = `'; rm -rf / #`;
const SECRET = 'pr0file-s3cret-value';

const manifest = {
  variables: {
    content: { type: 'string', required: true },
    target: { type: 'path', default: '/tmp/su-profile.txt' },
    pkgs: { type: 'list', default: [] },
    token: { type: 'secret' },
  },
  check: 'test -f {{target}}',
};
const template =
  'printf %s {{content}} > {{target}}\n{{#pkgs}}echo {{.}}\n{{/pkgs}}{{#token}}printf %s {{token}} > /tmp/t{{/token}}\n';

async function profileWithRecipe() {
  const profile = await t.gw.api('POST', '/api/v1/install-profiles', { body: { label: 'Files', category: 'files' } });
  expect(profile.status).toBe(201);
  const recipe = await t.gw.api('POST', `/api/v1/install-profiles/${profile.body.id}/recipes`, {
    body: { label: 'write a file', template, manifest },
  });
  expect(recipe.status).toBe(201);
  return { profileId: profile.body.id as string, recipeId: recipe.body.id as string, recipe: recipe.body };
}

describe('post-install API', () => {
  it('previews the exact script: the injection literal as one quoted word, each value with its source', async () => {
    const { recipeId, recipe } = await profileWithRecipe();
    expect(recipe.version).toBe(1);
    const r = await t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/render`, {
      body: { variables: { content: INJECTION, pkgs: ['curl', 'a b'] } },
    });
    expect(r.status).toBe(200);
    expect(r.body.script).toBe(`printf %s ''\\''; rm -rf / #' > '/tmp/su-profile.txt'\necho 'curl'\necho 'a b'\n\n`);
    expect(r.body.check).toBe(`test -f '/tmp/su-profile.txt'`);
    expect(r.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.body.variables).toEqual([
      { name: 'content', source: 'request', secret: false, value: INJECTION },
      { name: 'pkgs', source: 'request', secret: false, value: ['curl', 'a b'] },
      { name: 'target', source: 'default', secret: false, value: '/tmp/su-profile.txt' },
    ]);
  });

  it('editing a recipe makes version 2 and keeps version 1 as it was', async () => {
    const { recipeId } = await profileWithRecipe();
    const v2 = await t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/versions`, {
      body: { template: 'echo v2 {{content}}', manifest },
    });
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);
    const versions = (await t.gw.api('GET', `/api/v1/install-recipes/${recipeId}/versions`)).body;
    expect(versions.map((v: any) => [v.version, v.template])).toEqual([
      [1, template],
      [2, 'echo v2 {{content}}'],
    ]);
    const now = await t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/render`, {
      body: { variables: { content: 'x' } },
    });
    expect(now.body).toMatchObject({ version: 2, script: `echo v2 'x'` });
    const old = await t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/render`, {
      body: { versionId: versions[0].id, variables: { content: 'x' } },
    });
    expect(old.body.version).toBe(1);
    expect(old.body.script).toMatch(/^printf %s 'x'/);
  });

  it('answers 400 naming an unknown variable, a wrong type, a missing required one, a template that does not parse; nothing stored', async () => {
    const { recipeId, profileId } = await profileWithRecipe();
    const render = (variables: object) =>
      t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/render`, { body: { variables } });
    const unknown = await render({ content: 'a', nope: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'variables.nope', reasons: ['unknown variable: not declared in the manifest'] },
    ]);
    const wrong = await render({ content: 'a', target: 'relative/path' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('variables.target');
    expect(wrong.text).not.toContain('relative/path');
    const missing = await render({});
    expect(missing.body.errors).toEqual([{ field: 'variables.content', reasons: ['required variable is missing'] }]);
    const before = await t.db.query('SELECT count(*)::int AS n FROM install_recipe_versions');
    const broken = await t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/versions`, {
      body: { template: 'echo {{#content}}', manifest },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0]).toMatchObject({ field: 'template' });
    expect(broken.body.errors[0].reasons[0]).toMatch(/does not parse/);
    const undeclared = await t.gw.api('POST', `/api/v1/install-profiles/${profileId}/recipes`, {
      body: { label: 'x', template: 'echo {{ghost}}', manifest },
    });
    expect(undeclared.body.errors).toEqual([
      { field: 'template', reasons: ['unknown variable "ghost": not declared in the manifest'] },
    ]);
    const raw = await t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/versions`, {
      body: { template: 'echo {{{content}}}', manifest },
    });
    expect(raw.body.errors[0].reasons).toEqual([
      '"content" is written unescaped but the manifest does not declare it raw',
    ]);
    const badType = await t.gw.api('POST', `/api/v1/install-recipes/${recipeId}/versions`, {
      body: { template: 'true', manifest: { variables: { x: { type: 'float' } } } },
    });
    expect(badType.status).toBe(400);
    expect(badType.body.errors[0].field).toBe('manifest.variables.x.type');
    expect(await t.db.query('SELECT count(*)::int AS n FROM install_recipe_versions')).toEqual(before);
  });
  it('a run (at once or as a request) answers 400 naming an unknown, wrongly typed, missing or secret variable, or a high-risk profile; no job, no request', async () => {
    const { recipeId } = await profileWithRecipe();
    const machine = await t.gw.api('POST', '/api/v1/machines', {
      body: { name: 'run-checks', hostname: 'run-checks.lan', username: 'u' },
    });
    const machineId = machine.body.id as string;
    const jobsBefore = await t.db.query(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'post_install.run'`);
    const requestsBefore = await t.db.query(`SELECT count(*)::int AS n FROM action_requests`);
    const run = (body: object) =>
      t.gw.api('POST', `/api/v1/machines/${machineId}/actions`, { body: { action: 'post_install', ...body } });
    const fieldsOf = (r: { body: { errors: { field: string }[] } }) => r.body.errors.map((e) => e.field);
    const unknown = await run({ recipeId, variables: { content: 'a', nope: 'x' } });
    expect(unknown.status).toBe(400);
    expect(fieldsOf(unknown)).toEqual(['variables.nope']);
    const wrong = await run({ recipeId, variables: { content: 'a', target: 'relative/path' } });
    expect(fieldsOf(wrong)).toEqual(['variables.target']);
    expect(wrong.text).not.toContain('relative/path');
    expect(fieldsOf(await run({ recipeId, variables: {} }))).toEqual(['variables.content']);
    const secret = await run({ recipeId, variables: { content: 'a', token: SECRET } });
    expect(secret.status).toBe(400);
    expect(fieldsOf(secret)).toEqual(['variables.token']);
    expect(secret.text).not.toContain(SECRET);
    expect(fieldsOf(await run({}))).toEqual(['recipeId']);
    expect(fieldsOf(await run({ recipeId: '6f1c2b3a-1d2e-4f50-8a9b-0c1d2e3f4a5b' }))).toEqual(['recipeId']);
    // The built-in Docker engine profile is high risk: only an approved action request runs it.
    const profiles = (await t.gw.api('GET', '/api/v1/install-profiles')).body as { id: string; key: string }[];
    const docker = (
      await t.gw.api('GET', `/api/v1/install-profiles/${profiles.find((p) => p.key === 'docker_engine')!.id}`)
    ).body;
    const risky = await run({ recipeId: docker.recipes[0].id });
    expect(risky.status).toBe(400);
    expect(risky.body.errors[0]).toMatchObject({ field: 'action' });
    const asRequest = (options: object) =>
      t.gw.api('POST', '/api/v1/action-requests', { body: { machineId, action: 'post_install', options } });
    const badRequest = await asRequest({ recipeId, variables: { content: 'a', nope: 'x' } });
    expect(badRequest.status).toBe(400);
    expect(fieldsOf(badRequest)).toEqual(['options.variables.nope']);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'post_install.run'`)).toEqual(jobsBefore);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM action_requests`)).toEqual(requestsBefore);
    // The same high-risk run as a request is accepted: a person approves it.
    const request = await asRequest({ recipeId: docker.recipes[0].id });
    expect(request.status, request.text).toBe(201);
    const approved = await t.gw.api('POST', `/api/v1/action-requests/${request.body.id}/approve`, { body: {} });
    expect(approved.status, approved.text).toBe(200);
    const [job] = await t.db.query(`SELECT kind, payload FROM jobs WHERE request_id = $1`, [request.body.id]);
    expect(job).toEqual({ kind: 'post_install.run', payload: { recipeId: docker.recipes[0].id } });
    // A schedule cannot carry a recipe: post_install is never a schedule's step.
    const schedule = await t.gw.api('POST', '/api/v1/schedules', {
      body: { name: 'pi', cron: '0 3 * * *', scope: { all: true }, actions: ['post_install'] },
    });
    expect(schedule.status).toBe(400);
  });

  // Last: its global preset would otherwise give the other tests' recipes their values.
  it('applies presets global < profile < machine and keeps a secret out of the preview, the response and the database', async () => {
    const { profileId, recipeId } = await profileWithRecipe();
    const machine = await t.gw.api('POST', '/api/v1/machines', {
      body: { name: 'p1', hostname: 'p1.lan', username: 'u' },
    });
    const preset = (body: object) => t.gw.api('POST', '/api/v1/variable-presets', { body: { name: 'p', ...body } });
    expect((await preset({ scope: 'global', variables: { content: 'g', target: '/tmp/g' } })).status).toBe(201);
    expect((await preset({ scope: 'profile', profileId, variables: { content: 'p' } })).status).toBe(201);
    const m = await preset({ scope: 'machine', machineId: machine.body.id, variables: {}, secrets: { token: SECRET } });
    expect(m.status).toBe(201);
    const r = await t.gw.api('POST', `/api/v1/machines/${machine.body.id}/install-recipes/${recipeId}/render`, {
      body: {},
    });
    expect(r.status).toBe(200);
    expect(r.body.variables).toEqual([
      { name: 'content', source: 'preset:profile', secret: false, value: 'p' },
      { name: 'pkgs', source: 'default', secret: false, value: [] },
      { name: 'target', source: 'preset:global', secret: false, value: '/tmp/g' },
      { name: 'token', source: 'preset:machine', secret: true },
    ]);
    expect(r.body.script).toContain('printf %s "${SU_SECRET_token}" > /tmp/t');
    expect(r.text).not.toContain(SECRET);
    expect((await t.gw.api('GET', '/api/v1/variable-presets')).text).not.toContain(SECRET);
    const dump = await t.db.query(`SELECT row_to_json(p)::text AS j FROM script_variables_presets p`);
    expect(JSON.stringify(dump)).not.toContain(SECRET);
  });
});
