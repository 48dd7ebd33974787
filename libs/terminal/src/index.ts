export * from './terminal.module.ts';
export * from './terminal-sessions.service.ts';
export * from './terminal-settings.service.ts';
export * from './terminal-settings.dto.ts';
export * from './terminal-protocol.ts';
export * from './input-line-recorder.ts';
export * from './password-prompt.ts';
