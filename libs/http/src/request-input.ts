import type { FieldError } from './problem-details.ts';

export interface InputRules {
  /** `null` has no meaning in a request body of this API: absent means default or unchanged. */
  refuseNull: boolean;
  /** What a property name at the top is a name in, for the field of its error: `body`, `query`. */
  root: string;
}

// A property name is quoted back only when it looks like one; anything else may be a client's value.
const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$|^\d{1,6}$/;

/** A property name fit to appear in an error: itself when it is a plain name, else a placeholder. */
export function safeFieldName(name: string): string {
  return PLAIN_NAME.test(name) ? name : '(unnamed property)';
}

const join = (parent: string, key: string) => (parent ? `${parent}.${safeFieldName(key)}` : safeFieldName(key));

/**
 * What a request value holds that no route of this API accepts, by field: a NUL character in any string or property
 * name (PostgreSQL text cannot store it, and it truncates in C code downstream), and `null` where `refuseNull`.
 * The reasons never quote the value.
 */
export function inputProblems(value: unknown, field: string, rules: InputRules): FieldError[] {
  const out: FieldError[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      if (v.includes('\0')) out.push({ field: path, reasons: [`${path} must not contain a NUL character`] });
    } else if (v === null) {
      if (rules.refuseNull)
        out.push({
          field: path,
          reasons: [`${path} must not be null (leave it out for its default or current value)`],
        });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, join(path, String(i))));
    } else if (typeof v === 'object') {
      for (const [k, item] of Object.entries(v as object)) {
        if (k.includes('\0'))
          out.push({ field: path || rules.root, reasons: ['a property name must not contain a NUL character'] });
        else walk(item, join(path, k));
      }
    }
  };
  walk(value, field);
  return out;
}
