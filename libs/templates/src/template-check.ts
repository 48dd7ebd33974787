import Mustache from 'mustache';
import type { RecipeManifest } from './recipe-manifest.ts';
import { TemplateInputError, type TemplateFieldError } from './template-errors.ts';

type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** Parses a template; a template that does not parse is a field error naming `field`. */
function parse(template: string, field: string): Token[] {
  try {
    return Mustache.parse(template) as unknown as Token[];
  } catch (e) {
    throw new TemplateInputError([{ field, reasons: [`template does not parse: ${(e as Error).message}`] }]);
  }
}

/**
 * Checks what a template may use: only declared variables, never a partial or a delimiter change, a list only
 * iterated (`{{#pkgs}}{{.}} {{/pkgs}}`), and unescaped output only for variables the manifest declares raw.
 */
export function checkTemplate(template: string, manifest: RecipeManifest, field = 'template'): void {
  const errors: TemplateFieldError[] = [];
  const refuse = (reason: string) => errors.push({ field, reasons: [reason] });
  const walk = (tokens: Token[], listItem: boolean) => {
    for (const [type, name, , , children] of tokens) {
      if (type === 'text' || type === '!') continue;
      if (type === '>' || type === '=') {
        refuse(type === '>' ? 'partials are not allowed' : 'changing delimiters is not allowed');
        continue;
      }
      if (name === '.' && listItem) {
        if (type === '&') refuse('a list item cannot be written unescaped');
        continue;
      }
      const spec = manifest.variables[name];
      if (!spec) {
        refuse(`unknown variable "${name}": not declared in the manifest`);
        continue;
      }
      if (type === 'name' && spec.type === 'list')
        refuse(`list "${name}" must be iterated: {{#${name}}}{{.}} {{/${name}}}`);
      if (type === '&' && !spec.raw) refuse(`"${name}" is written unescaped but the manifest does not declare it raw`);
      if (children) walk(children, type === '#' && spec.type === 'list');
    }
  };
  walk(parse(template, field), false);
  if (errors.length) throw new TemplateInputError(errors);
}
