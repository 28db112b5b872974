// One jest project per package plus end-to-end. @swc/jest strips types without checking
// them (type checking is `npm run typecheck`), which keeps the suite fast.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic' } },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  moduleNameMapper: {
    '^@users-sync/(api|bot|emulator|tabs)/(.*)$': '<rootDir>/$1/src/$2',
  },
  setupFiles: ['<rootDir>/tests/support/trust-dev-certificate.ts'],
};

const project = (name, extra = {}) => ({
  ...shared,
  displayName: name,
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts?(x)`],
  ...extra,
});

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  projects: [
    project('api'),
    project('bot'),
    // The tab's components render in jsdom; the api is mocked at the fetch boundary.
    project('tabs', { testEnvironment: '<rootDir>/tests/tabs/support/jsdom-with-fetch.js', setupFiles: ['<rootDir>/tests/tabs/support/browser-globals.ts'] }),
    project('emulator'),
    // Each package test runs the real `npm run package` or `npm run serve` in a child process.
    project('package', { setupFilesAfterEnv: ['<rootDir>/tests/support/long-tests.ts'] }),
    project('e2e', { setupFilesAfterEnv: ['<rootDir>/tests/support/long-tests.ts'] }),
  ],
  testTimeout: 30_000,
};
