export * from './secret-box.ts';
export * from './master-key.ts';
export * from './password-hash.ts';
export * from './tokens.ts';
export * from './secret-bindings.ts';
export * from './master-key-ring.ts';
