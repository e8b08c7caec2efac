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

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
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
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    { ...common, ...withDatabase, displayName: 'int', testMatch: ['**/*.int-spec.ts'] },
    { ...common, ...withDatabase, displayName: 'e2e', testMatch: ['**/*.e2e-spec.ts'] },
  ],
};
