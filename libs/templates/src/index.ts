export * from './posix-word.ts';
export * from './recipe-manifest.ts';
export * from './template-errors.ts';
export * from './variable-value.validator.ts';
export * from './variable-resolver.ts';
export * from './template-check.ts';
export * from './script-renderer.ts';
