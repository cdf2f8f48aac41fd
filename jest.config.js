// Tests run from TypeScript sources through swc (no type check here: `npm run build` type-checks).
// Two projects: `unit` (everything in-process or on loopback) and `kafka` (wire tests against
// the librdkafka mock cluster or KAFKA_BROKERS). `npm test` runs both; `npm run test:kafka` one.
const transform = { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const moduleNameMapper = { '^@pitwall/([^/]+)$': '<rootDir>/packages/$1/src/index.ts' };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  // A backstop against a hang, not a deadline: each test's waits carry their own (and say what
  // they waited for). Jest's 5 s default failed a test on a loaded 2-core CI run whose own wait
  // allowed 10 s; tests that need longer still say so themselves.
  testTimeout: 20_000,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,apps,scripts}/**/test/**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '/test/wire/'],
    },
    {
      ...common,
      displayName: 'kafka',
      testMatch: ['<rootDir>/{packages,apps,scripts}/**/test/wire/**/*.test.ts'],
    },
  ],
};
