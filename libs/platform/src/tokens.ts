/** Nest injection tokens for values that are not classes. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');
