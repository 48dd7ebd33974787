export * from './config.ts';
export * from './oidc-config.ts';
export * from './secret-value.ts';
export * from './mcp-client-config.ts';
