import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRecipeManifest } from './recipe-manifest.ts';
import { renderScript, scriptWithSecrets } from './script-renderer.ts';
import { TemplateInputError } from './template-errors.ts';
import { resolveVariables } from './variable-resolver.ts';

const INJECTION = `'; rm -rf / #`;
const dir = mkdtempSync(join(tmpdir(), 'su-templates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TemplateInputError);
    return (e as TemplateInputError).errors.map((x) => `${x.field}: ${x.reasons.join('; ')}`);
  }
  throw new Error('expected a TemplateInputError');
}

function renderWith(template: string, manifest: unknown, values: Record<string, unknown>) {
  const m = parseRecipeManifest(manifest);
  const resolved = resolveVariables(m, [{ source: 'request', values }]);
  return renderScript(template, m, resolved.values);
}

describe('renderScript', () => {
  it('renders an injection attempt as one literal shell word: running it writes exactly that content', () => {
    const out = join(dir, 'injection.txt');
    const r = renderWith(
      'printf %s {{content}} > {{file}}\n',
      { variables: { content: { type: 'string' }, file: { type: 'path' } } },
      {
        content: INJECTION,
        file: out,
      },
    );
    expect(r.script).toBe(`printf %s ''\\''; rm -rf / #' > '${out}'\n`);
    execFileSync('sh', ['-s'], { input: r.script });
    expect(readFileSync(out, 'utf8')).toBe(INJECTION);
  });

  it('never HTML-escapes: & < > " stay as they are inside the quotes', () => {
    const r = renderWith('echo {{x}}', { variables: { x: { type: 'string' } } }, { x: `a&b<c>"d"` });
    expect(r.script).toBe(`echo 'a&b<c>"d"'`);
  });

  it('iterates a list, each item its own quoted word', () => {
    const r = renderWith(
      'apt-get install -y{{#pkgs}} {{.}}{{/pkgs}}',
      { variables: { pkgs: { type: 'list' } } },
      {
        pkgs: ['curl', 'x y', '$(id)'],
      },
    );
    expect(r.script).toBe(`apt-get install -y 'curl' 'x y' '$(id)'`);
  });

  it('keeps secrets out of the script text; the run-time stdin carries them and the script receives them', () => {
    const out = join(dir, 'secret.txt');
    const manifest = { variables: { token: { type: 'secret', required: true }, file: { type: 'path' } } };
    const r = renderWith('printf %s {{token}} > {{file}}', manifest, { token: `s3cr'et $HOME`, file: out });
    expect(r.script).not.toContain('s3cr');
    expect(r.script).toBe(`printf %s "\${SU_SECRET_token}" > '${out}'`);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    execFileSync('sh', ['-s'], { input: scriptWithSecrets(r.script, r.secrets) });
    expect(readFileSync(out, 'utf8')).toBe(`s3cr'et $HOME`);
  });

  it('writes raw output only for a variable declared raw that passed its validation', () => {
    const manifest = { variables: { n: { type: 'integer', raw: true, min: 1, max: 9 }, s: { type: 'string' } } };
    expect(renderWith('sleep {{{n}}}', manifest, { n: 3 }).script).toBe('sleep 3');
    expect(fieldsOf(() => renderWith('echo {{{s}}}', manifest, { n: 3, s: 'x' }))).toEqual([
      'template: "s" is written unescaped but the manifest does not declare it raw',
    ]);
    expect(fieldsOf(() => renderWith('echo {{&s}}', manifest, { s: 'x' }))[0]).toContain('does not declare it raw');
    expect(fieldsOf(() => renderWith('sleep {{{n}}}', manifest, { n: '1; id' }))).toEqual([
      'variables.n: integer: must be an integer',
    ]);
    expect(fieldsOf(() => parseRecipeManifest({ variables: { p: { type: 'secret', raw: true } } }))[0]).toContain(
      'cannot be raw',
    );
  });

  it('refuses an unknown variable, a wrong type, a missing required one and a template that does not parse', () => {
    const manifest = { variables: { port: { type: 'integer', required: true }, host: { type: 'hostname' } } };
    expect(fieldsOf(() => renderWith('echo {{port}}', manifest, { port: 1, nope: 'x' }))).toEqual([
      'variables.nope: unknown variable: not declared in the manifest',
    ]);
    expect(fieldsOf(() => renderWith('echo {{port}}', manifest, { port: 'eighty' }))).toEqual([
      'variables.port: integer: must be an integer',
    ]);
    expect(fieldsOf(() => renderWith('echo {{port}}', manifest, {}))).toEqual([
      'variables.port: required variable is missing',
    ]);
    expect(fieldsOf(() => renderWith('echo {{host}}', manifest, { port: 1, host: 'a b' }))).toEqual([
      'variables.host: hostname: must be a hostname',
    ]);
    expect(fieldsOf(() => renderWith('echo {{#port}}', manifest, { port: 1 }))[0]).toMatch(
      /^template: template does not parse: Unclosed section "port"/,
    );
    expect(fieldsOf(() => renderWith('echo {{other}}', manifest, { port: 1 }))).toEqual([
      'template: unknown variable "other": not declared in the manifest',
    ]);
    expect(fieldsOf(() => renderWith('{{> part}}', manifest, { port: 1 }))).toEqual([
      'template: partials are not allowed',
    ]);
  });

  it('says where each value came from: default, preset, request', () => {
    const m = parseRecipeManifest({
      variables: {
        a: { type: 'string', default: 'd' },
        b: { type: 'string' },
        c: { type: 'string' },
        k: { type: 'secret' },
      },
    });
    const r = resolveVariables(m, [
      { source: 'preset:global', values: { b: 'g', c: 'g', unrelated: 1 } },
      { source: 'preset:machine', values: { c: 'm' } },
      { source: 'request', values: { k: 'hidden' } },
    ]);
    expect(r.variables).toEqual([
      { name: 'a', source: 'default', secret: false, value: 'd' },
      { name: 'b', source: 'preset:global', secret: false, value: 'g' },
      { name: 'c', source: 'preset:machine', secret: false, value: 'm' },
      { name: 'k', source: 'request', secret: true },
    ]);
    expect(JSON.stringify(r.variables)).not.toContain('hidden');
  });

  it('validates enum, boolean, path and list values', () => {
    const m = {
      variables: {
        e: { type: 'enum', values: ['a', 'b'] },
        f: { type: 'boolean' },
        p: { type: 'path' },
        l: { type: 'list' },
      },
    };
    expect(fieldsOf(() => renderWith('', m, { e: 'c', f: 'yes', p: '/a/../b', l: 'x' }))).toEqual([
      'variables.e: enum: must be one of: a, b',
      'variables.f: boolean: must be true or false',
      'variables.p: path: must be an absolute path of letters, digits and ._/+@:,- without ..',
      'variables.l: list: must be a list of at most 500 strings',
    ]);
    expect(renderWith('{{#f}}yes{{/f}}{{^f}}no{{/f}}', m, { f: false }).script).toBe('no');
  });
});
