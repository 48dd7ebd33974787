export * from './db-target.ts';
export * from './migration-status.ts';
export * from './database-info.service.ts';
export * from './database-backup.service.ts';
export * from './doctor-finding.ts';
export * from './doctor.service.ts';
export * from './master-key-rotation.service.ts';
export * from './secret-binding.ts';
