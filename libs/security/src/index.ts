export * from './secret-box.ts';
export * from './master-key.ts';
export * from './password-hash.ts';
export * from './tokens.ts';
