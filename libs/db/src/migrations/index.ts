export * from './schema-engine.ts';
export * from './migrations-dir.ts';
export * from './migrate.ts';
export * from './catalog.ts';
