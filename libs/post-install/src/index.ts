export * from './post-install.dto.ts';
export * from './install-catalogue.service.ts';
export * from './variable-presets.service.ts';
export * from './recipe-render.service.ts';
export * from './post-install-run.check.ts';
export * from './post-install.module.ts';
export * from './jobs/index.ts';
export * from './built-in/index.ts';
