export * from './host-key-policy.ts';
export * from './host-key-trust.service.ts';
export * from './machine-connector.ts';
export * from './machine-credentials.cipher.ts';
export * from './connection-test.service.ts';
export * from './machine-access.module.ts';
export * from './job-connection.ts';
