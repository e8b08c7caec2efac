// ESLint (flat config): TypeScript rules, the Nx module-boundary rule with real scope and type
// tags, and no focused tests.
const nx = require('@nx/eslint-plugin');
const react = require('eslint-plugin-react');
const reactHooks = require('eslint-plugin-react-hooks');
const jsxA11y = require('eslint-plugin-jsx-a11y');

const FRAMEWORKS = ['@nestjs/*', 'typeorm', 'pg', 'pg-*', 'kafkajs', '@eventstore/db-client', 'express', 'nestjs-pino'];

// Layers and bounded contexts (Nx project tags). Each project may use only what its tags allow.
const DEP_CONSTRAINTS = [
  // Layers: apps wire features; features use data access and the pure domain.
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:util'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:util'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:domain', 'type:util'] },
  // The domain is framework-free: no NestJS, ORM, database, broker or event-store client.
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:util'], bannedExternalImports: FRAMEWORKS },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'], bannedExternalImports: FRAMEWORKS },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:testing', 'type:data-access'] },
  // Scopes: a bounded context uses its own libraries and the shared ones.
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  // Reconciliation (in the registry API) reads identity's review queue and scores with the matching engine.
  { sourceTag: 'scope:registry', onlyDependOnLibsWithTags: ['scope:registry', 'scope:shared', 'scope:identity', 'scope:matching'] },
  { sourceTag: 'scope:matching', onlyDependOnLibsWithTags: ['scope:matching', 'scope:shared'] },
  { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:matching', 'scope:registry', 'scope:shared'] },
  { sourceTag: 'scope:monitoring', onlyDependOnLibsWithTags: ['scope:monitoring', 'scope:registry', 'scope:shared'] },
  { sourceTag: 'scope:partners', onlyDependOnLibsWithTags: ['scope:partners', 'scope:registry', 'scope:shared'] },
  // The console talks to the services over HTTP only (its generated client); its server uses the platform's config.
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared'] },
  // The migration step lists every context's migrations (libs/migrations): the schema's composition root.
  {
    sourceTag: 'scope:migrations',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:registry', 'scope:identity', 'scope:monitoring', 'scope:partners'],
  },
  // The command-line tools compose every context, like `npm start` does.
  {
    sourceTag: 'scope:cli',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:registry', 'scope:matching', 'scope:identity', 'scope:monitoring', 'scope:partners', 'scope:migrations'],
  },
];

// Tests may build the whole schema (ALL_MIGRATIONS of libs/migrations) whatever context they test;
// the code under test may not.
const TEST_DEP_CONSTRAINTS = DEP_CONSTRAINTS.map((c) =>
  c.sourceTag.startsWith('scope:') && !c.onlyDependOnLibsWithTags.includes('scope:migrations')
    ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:migrations'] }
    : c,
);

module.exports = [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '.nx', '.data', 'coverage'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: DEP_CONSTRAINTS }],
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'Focused tests hide the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'Focused tests hide the rest of the suite.' },
        { object: 'test', property: 'only', message: 'Focused tests hide the rest of the suite.' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests assert the shape first, then use it: non-null assertions there are the point.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/testing/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.browser-spec.ts', '**/*.harness.ts', '**/testing/**/*.ts', 'apps/*/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: TEST_DEP_CONSTRAINTS }] },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error (an unhandled rejection kills the
    // process), and a promise where a callback's result is ignored (an express handler, an event
    // listener) does the same.
    files: ['apps/*/src/**/*.ts', 'apps/*/test/**/*.ts', 'libs/**/*.ts', 'tools/**/*.ts'],
    ignores: ['apps/console/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // The console (browser code): React, hooks and accessibility rules; every visible string is a
  // translation key (no literal text in JSX); no server-side code in the bundle.
  {
    files: ['apps/console/src/**/*.ts', 'apps/console/src/**/*.tsx'],
    plugins: { react, 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y },
    languageOptions: { ...react.configs.flat.recommended.languageOptions, globals: { window: 'readonly', document: 'readonly' } },
    settings: { react: { version: '19' } },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat['jsx-runtime'].rules,
      ...reactHooks.configs.flat.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      'react/jsx-no-literals': ['error', { noStrings: true, ignoreProps: true, allowedStrings: ['·', '/', '–', ':'] }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@childledger/*'], message: 'The console reaches the services through its generated API client only.' },
            { group: ['node:*'], message: 'Browser code: no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    // Tests may write literal text (what a user reads is what they assert) and read files.
    files: ['apps/console/src/**/*.spec.ts', 'apps/console/src/**/*.spec.tsx'],
    rules: { 'react/jsx-no-literals': 'off', 'no-restricted-imports': 'off' },
  },
];
