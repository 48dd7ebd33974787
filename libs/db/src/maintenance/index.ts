export * from './backup-format.ts';
export * from './database-backup.ts';
export * from './database-restore.ts';
export * from './database-status.repository.ts';
export * from './embedded-connection.ts';
export * from './stored-secrets.repository.ts';
