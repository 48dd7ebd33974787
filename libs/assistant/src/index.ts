export * from './assistant.module.ts';
export * from './assistant-ports.ts';
export * from './assistant-usage.service.ts';
export * from './fleet-reads.service.ts';
export * from './mcp-audit.service.ts';
export { ASSISTANT_CLIENT_KINDS, isAssistantCaller, serveMcp } from './mcp-server.factory.ts';
export { dockerDedupKey } from './docker-update-groups.ts';
export { executionAnswer } from './execution-answer.ts';
export { bridgeStdioToHttp } from './stdio-bridge.ts';
