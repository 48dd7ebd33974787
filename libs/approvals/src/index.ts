export * from './requester.ts';
export * from './request-summary.ts';
export * from './action-request.dto.ts';
export * from './action-requests.service.ts';
export * from './approvals.module.ts';
export * from './approval-settings.service.ts';
export * from './approval-settings.dto.ts';
