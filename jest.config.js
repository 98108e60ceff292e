/**
 * Unit specs live beside the code; e2e suites under test/ drive the real HTTP app.
 * content-disposition 3 (under @fastify/static) ships ESM only: Node 20 requires it natively,
 * jest's module loader does not, so jest compiles that one package to CommonJS.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }],
  'node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
};
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
  testTimeout: 60000,
};
