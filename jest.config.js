/**
 * Unit specs live beside the code; e2e suites under test/ drive the real HTTP app; the cluster
 * suite (test/cluster, run only by `npm run test:cluster`) drives two built service processes;
 * the faults suite (test/faults, only `npm run test:faults`) stops, freezes and kills private
 * MariaDB, Redis and service processes; the browser suite (test/browser, only
 * `npm run test:browser`) drives the app in Debian's Chromium through playwright-core.
 * content-disposition 3 (under @fastify/static) and @scure/base 2 and @noble/hashes 2 (under
 * otplib 13) ship ESM only: Node 20.19+ requires them natively, jest's module loader does not,
 * so jest compiles those packages to CommonJS. @fastify/cookie loads cookie 2 (ESM only) with a
 * dynamic import(), which jest's vm refuses: compiled, it becomes a require.
 */
const ESM_ONLY =
  '(content-disposition|@scure/base|@noble/hashes|openid-client|oauth4webapi|jose|@fastify/cookie|cookie)';
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }],
  [`node_modules/${ESM_ONLY}/.+\\.js$`]: [
    'ts-jest',
    { tsconfig: { allowJs: true, isolatedModules: true } },
  ],
};
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  transform,
  // Ignored unless the innermost node_modules holds one of them (otplib nests its copies).
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)(?!.*/node_modules/)`],
};

// The cluster suite needs MariaDB, redis-server and a build, so plain `npm test` leaves it out:
// it is a project only for `npm run test:cluster` or a jest command line that names it.
const clusterRequested =
  process.env.npm_lifecycle_event === 'test:cluster' ||
  process.argv.some((arg) => /(^|[\\/=])cluster\b/.test(arg));

// The faults suite starts its own mariadbd and redis-server and kills processes: only on request.
const faultsRequested =
  process.env.npm_lifecycle_event === 'test:faults' ||
  process.argv.some((arg) => /(^|[\\/=])faults\b/.test(arg));

// The browser suite needs Chromium and drives it for minutes: only on request.
const browserRequested =
  process.env.npm_lifecycle_event === 'test:browser' ||
  process.argv.some((arg) => /(^|[\\/=])browser\b/.test(arg));

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/web/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Fails a test whose app sent a response its OpenAPI document does not allow.
      setupFilesAfterEnv: ['<rootDir>/test/support/response-contract.setup.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/cluster/',
        '<rootDir>/test/faults/',
        '<rootDir>/test/browser/',
      ],
    },
    // Two built service processes over MariaDB and a private Redis.
    ...(clusterRequested
      ? [
          {
            ...common,
            displayName: 'cluster',
            testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
            globalSetup: '<rootDir>/test/cluster/global-setup.ts',
          },
        ]
      : []),
    // Private mariadbd, redis-server and built service processes, stopped, frozen and killed.
    ...(faultsRequested
      ? [
          {
            ...common,
            displayName: 'faults',
            testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
            globalSetup: '<rootDir>/test/faults/global-setup.ts',
          },
        ]
      : []),
    // The app listening on 127.0.0.1, driven by Chromium; its responses meet the OpenAPI check.
    ...(browserRequested
      ? [
          {
            ...common,
            displayName: 'browser',
            testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
            globalSetup: '<rootDir>/test/browser/support/build-dashboard.ts',
            setupFilesAfterEnv: [
              '<rootDir>/test/support/response-contract.setup.ts',
              '<rootDir>/test/browser/support/page-errors.setup.ts',
            ],
          },
        ]
      : []),
  ],
  testTimeout: 60000,
};
