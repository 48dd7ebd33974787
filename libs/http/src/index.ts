export * from './http-edge.ts';
export * from './field-errors.ts';
export * from './json-depth.ts';
export { MAX_JSON_BODY } from './json-body.ts';
export * from './problem-details.ts';
export { safeFieldName } from './request-input.ts';
export * from './problem-details.openapi.ts';
export * from './web-ui.ts';
export { responseCompression } from './response-compression.ts';
