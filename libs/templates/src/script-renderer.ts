import { createHash } from 'node:crypto';
import Mustache from 'mustache';
import { posixWord, secretVariableName } from './posix-word.ts';
import type { RecipeManifest } from './recipe-manifest.ts';
import { checkTemplate } from './template-check.ts';
import type { VariableValue } from './variable-value.validator.ts';

export interface RenderedScript {
  /** The exact script that runs, with each secret as a reference to its shell variable: safe to show and store. */
  script: string;
  sha256: string;
  /** The check command rendered the same way, when the manifest has one. */
  check: string | null;
  /** The secret values the run must hand over (on stdin, see `scriptWithSecrets`). Never stored. */
  secrets: Record<string, string>;
}

// Values never contain NUL (validation refuses it), so this marker cannot be forged by a value.
const MARK = '\u0000secret:';
const MARK_RE = new RegExp(`^${MARK}([A-Za-z_][A-Za-z0-9_]*)\u0000$`);

/** Shell escaping instead of Mustache's HTML escaping: each value one single-quoted word; a secret its reference. */
function shellEscape(value: unknown): string {
  const s = String(value);
  const secret = MARK_RE.exec(s);
  return secret?.[1] ? `"\${${secretVariableName(secret[1])}}"` : posixWord(s);
}

function render(template: string, view: Record<string, unknown>): string {
  return Mustache.render(template, view, {}, { escape: shellEscape });
}

/**
 * Renders a recipe's script (and check) from validated values. The template is checked first (declared variables,
 * raw only where declared). Secret values are not in the text: the script reads them from shell variables that
 * `scriptWithSecrets` sets at run time.
 */
export function renderScript(
  template: string,
  manifest: RecipeManifest,
  values: Record<string, VariableValue>,
): RenderedScript {
  checkTemplate(template, manifest);
  if (manifest.check) checkTemplate(manifest.check, manifest, 'manifest.check');
  const view: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [name, v] of Object.entries(values)) {
    if (manifest.variables[name]?.type === 'secret') {
      secrets[name] = String(v);
      view[name] = `${MARK}${name}\u0000`;
    } else view[name] = v;
  }
  const script = render(template, view);
  return {
    script,
    sha256: createHash('sha256').update(script).digest('hex'),
    check: manifest.check ? render(manifest.check, view) : null,
    secrets,
  };
}

/**
 * What is written to `sh -s` on the machine: the secrets as shell variables (never exported, never in argv), then
 * the stored script. Lives in memory for the run only.
 */
export function scriptWithSecrets(script: string, secrets: Record<string, string>): string {
  const lines = Object.entries(secrets).map(([n, v]) => `${secretVariableName(n)}=${posixWord(v)}`);
  return lines.length ? `${lines.join('\n')}\n${script}` : script;
}
