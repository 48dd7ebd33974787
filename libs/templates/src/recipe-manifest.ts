import { z } from 'zod';
import { TemplateInputError } from './template-errors.ts';

export const VARIABLE_TYPES = ['string', 'integer', 'boolean', 'enum', 'list', 'path', 'hostname', 'secret'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** Variable names become shell variable names (secrets) and Mustache keys: no dots, no spaces, no dashes. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const variableSchema = z
  .strictObject({
    type: z.enum(VARIABLE_TYPES),
    description: z.string().max(500).optional(),
    required: z.boolean().optional(),
    default: z.unknown().optional(),
    /** enum: the allowed values. */
    values: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
    /** string: a pattern the whole value must match (anchored here). */
    pattern: z.string().max(500).optional(),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
    maxLength: z.number().int().min(1).max(65536).optional(),
    /** Allows `{{{x}}}` / `{{&x}}`: the validated value is written as is. Never for secrets or lists. */
    raw: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'enum' && !v.values) ctx.addIssue({ code: 'custom', message: 'an enum needs values' });
    if (v.raw && (v.type === 'secret' || v.type === 'list'))
      ctx.addIssue({ code: 'custom', message: `a ${v.type} variable cannot be raw` });
    if (v.raw && v.type === 'string' && !v.pattern)
      ctx.addIssue({ code: 'custom', message: 'a raw string variable needs a pattern' });
    if (v.type === 'secret' && v.default !== undefined)
      ctx.addIssue({ code: 'custom', message: 'a secret cannot have a default' });
  });

export const recipeManifestSchema = z.strictObject({
  variables: z
    .record(z.string().regex(VARIABLE_NAME, 'variable names are letters, digits and _'), variableSchema)
    .default({}),
  /**
   * A command (a template too) whose exit status 0 means "already applied": the script is then not run. It runs with
   * the same variables and sudo rule as the script.
   */
  check: z.string().max(4096).optional(),
  /** Run the script with sudo (as the machine's credentials configure it). */
  sudo: z.boolean().default(true),
  timeoutSeconds: z.number().int().min(10).max(7200).default(1800),
});

export type RecipeManifest = z.infer<typeof recipeManifestSchema>;
export type VariableSpec = RecipeManifest['variables'][string];

/** Validates a manifest given by a person; each problem names its field under `manifest.`. */
export function parseRecipeManifest(input: unknown): RecipeManifest {
  const r = recipeManifestSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new TemplateInputError(
    r.error.issues.map((i) => ({ field: ['manifest', ...i.path.map(String)].join('.'), reasons: [i.message] })),
  );
}
