// Docker Compose on the machines (issue 13): the commands and parsers, and the docker-worker's job handlers.
export * from './docker-commands.ts';
export * from './compose-files.parser.ts';
export * from './compose-config.parser.ts';
export * from './docker-inspect.parser.ts';
export * from './docker-failure.classifier.ts';
export * from './prune-output.parser.ts';
export * from './jobs/index.ts';
export * from './api/index.ts';
