export * from './database.ts';
export * from './embedded-server.ts';
export * from './pg-listener.ts';
export * from './advisory-leader.ts';
export * from './migrations/index.ts';
export * from './repositories/index.ts';
export * from './maintenance/index.ts';
export type { Prisma } from './generated/prisma/client.ts';
