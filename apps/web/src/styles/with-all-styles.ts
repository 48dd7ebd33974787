/** Loads Mantine's whole stylesheet (once; later calls share the first). */
export const loadAllStyles = (): Promise<unknown> => import('./all-styles.css.ts');

/** A lazy module's loader that also waits for Mantine's whole stylesheet, so the module never renders unstyled. */
export function withAllStyles<T>(load: () => Promise<T>): () => Promise<T> {
  return () => Promise.all([load(), loadAllStyles()]).then(([module]) => module);
}
