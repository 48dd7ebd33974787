export interface TemplateFieldError {
  field: string;
  reasons: string[];
}

/**
 * Bad recipe input (a manifest, a template, a variable value): each problem names its field and never echoes a
 * value (a value may be a secret). The HTTP edge turns it into a 400 with these field errors.
 */
export class TemplateInputError extends Error {
  constructor(readonly errors: TemplateFieldError[]) {
    super(`invalid recipe input: ${errors.map((e) => e.field).join(', ')}`);
  }
}
