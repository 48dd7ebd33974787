import type { RecipeManifest } from './recipe-manifest.ts';
import { TemplateInputError, type TemplateFieldError } from './template-errors.ts';
import { validateVariableValue, type VariableValue } from './variable-value.validator.ts';

/** Where a variable's value came from, lowest precedence first: default, then presets, then the request itself. */
export type VariableSource = 'default' | 'preset:global' | 'preset:profile' | 'preset:machine' | 'request';

export interface VariableLayer {
  source: Exclude<VariableSource, 'default'>;
  values: Record<string, unknown>;
}

export interface ResolvedVariable {
  name: string;
  source: VariableSource;
  secret: boolean;
  /** Absent for secrets: a resolved secret is only in `values`, never in what is shown or stored. */
  value?: VariableValue;
}

export interface ResolvedVariables {
  values: Record<string, VariableValue>;
  variables: ResolvedVariable[];
}

/**
 * Resolves each declared variable from the default and the layers (later wins), validating each value against its
 * type. An unknown variable in the request is an error; in a preset it is ignored (a preset serves many recipes).
 */
export function resolveVariables(manifest: RecipeManifest, layers: readonly VariableLayer[]): ResolvedVariables {
  const errors: TemplateFieldError[] = [];
  for (const layer of layers)
    if (layer.source === 'request')
      for (const name of Object.keys(layer.values))
        if (!Object.hasOwn(manifest.variables, name))
          errors.push({ field: `variables.${name}`, reasons: ['unknown variable: not declared in the manifest'] });
  const values: Record<string, VariableValue> = {};
  const variables: ResolvedVariable[] = [];
  for (const [name, spec] of Object.entries(manifest.variables)) {
    let raw: unknown = spec.default;
    let source: VariableSource = 'default';
    for (const layer of layers)
      if (Object.hasOwn(layer.values, name) && layer.values[name] !== undefined) {
        raw = layer.values[name];
        source = layer.source;
      }
    if (raw === undefined) {
      if (spec.required) errors.push({ field: `variables.${name}`, reasons: ['required variable is missing'] });
      continue;
    }
    const checked = validateVariableValue(spec, raw);
    if (!checked.ok) {
      errors.push({ field: `variables.${name}`, reasons: checked.reasons.map((r) => `${spec.type}: ${r}`) });
      continue;
    }
    const v = checked.value;
    values[name] = v;
    const secret = spec.type === 'secret';
    variables.push({ name, source, secret, ...(secret ? {} : { value: v }) });
  }
  if (errors.length) throw new TemplateInputError(errors);
  // By name: the stored manifest (jsonb) does not keep the order a person wrote.
  variables.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { values, variables };
}
