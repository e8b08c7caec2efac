// One jest run, three tiers (projects). `npm test` runs them all against one database server;
// each Nx project exposes `test`, `int-test` and `e2e-test` targets that select a tier and a folder.
const { pathsToModuleNameMapper } = require('./tools/jest/paths');

const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// The console's components (.tsx): the same transform with JSX (React's automatic runtime).
const swcTsx = [
  '@swc/jest',
  { ...swc[1], jsc: { ...swc[1].jsc, parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } },
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, '^.+\\.tsx$': swcTsx },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(),
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  setupFiles: ['reflect-metadata'],
};

// One PostgreSQL server for the whole run (embedded unless DATABASE_URL is set). Jest runs a
// global hook once per distinct path, so int and e2e share it and a unit-only run starts none.
const withDatabase = {
  globalSetup: '<rootDir>/tools/jest/global-setup.js',
  globalTeardown: '<rootDir>/tools/jest/global-teardown.js',
  setupFilesAfterEnv: ['<rootDir>/tools/jest/long-timeout.js'],
};

module.exports = {
  projects: [
    // Console component tests choose jsdom with a `@jest-environment jsdom` docblock.
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts', '**/*.spec.tsx'] },
    { ...common, ...withDatabase, displayName: 'int', testMatch: ['**/*.int-spec.ts'] },
    { ...common, ...withDatabase, displayName: 'e2e', testMatch: ['**/*.e2e-spec.ts'] },
    // Real Chromium (playwright-core) against the real services; tools/browser has the harness.
    { ...common, ...withDatabase, displayName: 'browser', testMatch: ['**/*.browser-spec.ts'] },
  ],
};
