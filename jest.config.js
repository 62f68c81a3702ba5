/** Jest runs every test under test/ through ts-jest (type errors are caught by `tsc --noEmit`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 60000,
  // Snapshots are a refactoring guard: CI must never write them.
  ci: true,
};
