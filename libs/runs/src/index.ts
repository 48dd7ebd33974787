// Runs: where an action becomes a job, a slot becomes jobs, a plan is bound, and a schedule run moves forward.
export * from './action-job.ts';
export * from './analysis-plan.ts';
export * from './run-fan-out.ts';
export * from './schedule-run-advancer.service.ts';
export * from './run-close.hook.ts';
export * from './runs.module.ts';
export * from './docker-plan.ts';
export * from './maintenance/maintenance-plan.ts';
export * from './maintenance/maintenance-progress.ts';
export * from './maintenance/maintenance-run.handler.ts';
export * from './maintenance/maintenance-jobs.module.ts';
export * from './maintenance/maintenance-runs.service.ts';
export * from './maintenance/maintenance-options.dto.ts';
