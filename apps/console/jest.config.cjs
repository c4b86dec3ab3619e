// Two projects: component/logic tests in jsdom (src/**), and browser end-to-end tests in node (test/**),
// which start a real Tacos server and drive headless Chromium through playwright-core.
const transform = {
  '^.+\\.tsx?$': ['ts-jest', { tsconfig: { jsx: 'react-jsx', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, isolatedModules: true } }],
};
/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'jsdom',
      transform,
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/src/**/*.test.tsx'],
      moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
      moduleNameMapper: { '\\.css$': '<rootDir>/test/style-stub.cjs' },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
    },
  ],
};
