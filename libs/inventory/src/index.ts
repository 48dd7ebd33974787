export * from './probe.script.ts';
export * from './probe.parser.ts';
export * from './machine-probe.handler.ts';
export * from './inventory.module.ts';
