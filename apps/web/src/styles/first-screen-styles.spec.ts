import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '..');
const mantineStyles = resolve(src, '../../../node_modules/@mantine/core/styles');

// Components whose look comes partly from other components' stylesheets (they render them inside).
const INSIDE: Record<string, string[]> = {
  Select: ['Combobox', 'Input', 'Popover', 'ScrollArea', 'CloseButton'],
  TextInput: ['Input'],
  Checkbox: ['CheckboxIndicator', 'InlineInput'],
  SegmentedControl: ['FloatingIndicator'],
  Card: ['Paper'],
  Tooltip: ['Popover'],
};

/** The modules the entry loads before any lazy import: static imports of the app's own files, from main.tsx. */
function firstScreenModules(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/^import [^;]*?from '(\.[^']+\.tsx?)';/gms)) visit(join(dirname(file), m[1]!));
  };
  visit(join(src, 'main.tsx'));
  return [...seen];
}

/** The Mantine components those modules render (named imports of @mantine/core that are components). */
function mantineComponents(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/import \{([^}]*)\} from '@mantine\/core';/g))
      for (const name of m[1]!.split(',').map((n) => n.trim()))
        if (/^[A-Z]/.test(name) && !name.startsWith('type ')) names.add(name);
  }
  return names;
}

describe('the first screen’s Mantine styles', () => {
  it('first-screen.css.ts has the stylesheet of every Mantine component the entry renders (the rest loads later)', () => {
    const listed = readFileSync(join(src, 'styles/first-screen.css.ts'), 'utf8');
    const components = mantineComponents(firstScreenModules());
    expect(components.has('Card')).toBe(true); // the tiles: the walk reached the dashboard
    const missing = [...components]
      .flatMap((name) => [name, ...(INSIDE[name] ?? [])])
      .filter((name) => existsSync(join(mantineStyles, `${name}.layer.css`)))
      .filter((name) => !listed.includes(`'@mantine/core/styles/${name}.layer.css'`));
    expect(missing).toEqual([]);
  });
});
