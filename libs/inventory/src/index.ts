export * from './probe.script.ts';
export * from './probe.parser.ts';
