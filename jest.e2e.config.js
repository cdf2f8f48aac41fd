// `npm run test:e2e`: the PM2 fleet end to end (e2e/test). Separate from `npm test` because it
// starts the whole fleet as real processes and takes minutes; `.ci/run` runs both. Packages load
// from their builds (dist), as the fleet's processes do, so `pretest:e2e` builds first.
const base = require('./jest.config');
const unit = base.projects[0];

/** @type {import('jest').Config} */
module.exports = {
  reporters: base.reporters,
  projects: [
    {
      rootDir: unit.rootDir,
      testEnvironment: unit.testEnvironment,
      transform: unit.transform,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
  ],
};
