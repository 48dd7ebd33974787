import { lazy, type ComponentType } from 'react';

/** Loads Mantine's whole stylesheet (once; later calls share the first). */
export const loadAllStyles = (): Promise<unknown> => import('./all-styles.css.ts');

/** A lazy module's loader that also waits for Mantine's whole stylesheet, so the module never renders unstyled. */
export function withAllStyles<T>(load: () => Promise<T>): () => Promise<T> {
  return () => Promise.all([load(), loadAllStyles()]).then(([module]) => module);
}

/** A page loaded on first visit, with Mantine's whole stylesheet: `name` is the component its module exports. */
export function lazyPage<K extends string, M extends Record<K, ComponentType>>(load: () => Promise<M>, name: K) {
  return lazy(withAllStyles(() => load().then((m) => ({ default: m[name] }))));
}
