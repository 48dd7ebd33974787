export * from './built-in-profiles.ts';
export * from './built-in-profiles.seeder.ts';
