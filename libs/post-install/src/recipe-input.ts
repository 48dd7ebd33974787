import { BadRequestException } from '@nestjs/common';
import { checkTemplate, parseRecipeManifest, TemplateInputError, type RecipeManifest } from '@su/templates';

/** A template error as the house's 400: `{ message, errors: [{ field, reasons }] }` (ADR 0016), never a value. */
export function badRecipeInput(e: TemplateInputError): BadRequestException {
  return new BadRequestException({
    message: `invalid request: ${[...new Set(e.errors.map((x) => x.field))].join(', ')}`,
    errors: e.errors,
  });
}

/** Runs `fn`, turning a TemplateInputError into the 400 that names its fields. */
export function asBadRequest<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TemplateInputError) throw badRecipeInput(e);
    throw e;
  }
}

/** A recipe version as given: the manifest parsed and the template checked against it, before anything is stored. */
export function checkedRecipeVersion(template: string, manifest: unknown): RecipeManifest {
  return asBadRequest(() => {
    const m = parseRecipeManifest(manifest);
    checkTemplate(template, m);
    if (m.check) checkTemplate(m.check, m, 'manifest.check');
    return m;
  });
}
