export * from './post-install-jobs.module.ts';
export * from './post-install-run.handler.ts';
export * from './bootstrap.handler.ts';
export * from './automation-user.script.ts';
export * from './recipe-run.ts';
