import type { VariableSpec } from './recipe-manifest.ts';

/** A validated value as the template sees it: lists are arrays of strings, everything else a string or a boolean. */
export type VariableValue = string | boolean | string[];

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const PATH = /^\/[A-Za-z0-9._/+@:,-]*$/;
// NUL cannot be carried by a shell word, and the renderer keeps it for its own secret markers.
const NUL = '\u0000';

function text(spec: VariableSpec, v: unknown): string | string[] {
  if (typeof v !== 'string') return ['must be a string'];
  if (v.includes(NUL)) return ['must not contain NUL'];
  if (v.length > (spec.maxLength ?? 4096)) return [`must be at most ${spec.maxLength ?? 4096} characters`];
  return v;
}

function integer(spec: VariableSpec, v: unknown): string | string[] {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^-?\d{1,15}$/.test(s)) return ['must be an integer'];
  const n = Number(s);
  if (spec.min !== undefined && n < spec.min) return [`must be >= ${spec.min}`];
  if (spec.max !== undefined && n > spec.max) return [`must be <= ${spec.max}`];
  return String(n);
}

function byPattern(spec: VariableSpec, v: string): string | string[] {
  if (spec.pattern && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(v)) return ['does not match the declared pattern'];
  return v;
}

export type ValueCheck = { ok: true; value: VariableValue } | { ok: false; reasons: string[] };

/** Checks one value against its declared type: the normalised value, or the reasons it was refused (never the value). */
export function validateVariableValue(spec: VariableSpec, v: unknown): ValueCheck {
  if (spec.type === 'list') {
    if (!Array.isArray(v) || v.length > 500) return { ok: false, reasons: ['must be a list of at most 500 strings'] };
    const items = v.map((x) => text(spec, x));
    return items.every((x): x is string => typeof x === 'string')
      ? { ok: true, value: items }
      : { ok: false, reasons: ['every item must be a string without NUL'] };
  }
  const r = scalar(spec, v);
  return Array.isArray(r) ? { ok: false, reasons: r } : { ok: true, value: r };
}

function scalar(spec: VariableSpec, v: unknown): string | boolean | string[] {
  switch (spec.type) {
    case 'string': {
      const s = text(spec, v);
      return typeof s === 'string' ? byPattern(spec, s) : s;
    }
    case 'secret': {
      const s = text(spec, v);
      return typeof s === 'string' && s.length === 0 ? ['must not be empty'] : s;
    }
    case 'integer':
      return integer(spec, v);
    case 'boolean':
      return typeof v === 'boolean' ? v : ['must be true or false'];
    case 'enum':
      return typeof v === 'string' && spec.values?.includes(v) ? v : [`must be one of: ${spec.values?.join(', ')}`];
    case 'path':
      return typeof v === 'string' && PATH.test(v) && !v.split('/').includes('..') && v.length <= 4096
        ? v
        : ['must be an absolute path of letters, digits and ._/+@:,- without ..'];
    case 'hostname':
      return typeof v === 'string' && HOSTNAME.test(v) ? v : ['must be a hostname'];
    case 'list':
      return ['must be a list'];
  }
}
