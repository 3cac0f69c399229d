import { defineConfig } from 'vitest/config';

// Two groups, run one after the other: every suite first, in parallel; then the real-time
// suites (tests/rt: live audio paced by JACK's clock), one file at a time on an otherwise idle
// machine, because a deadline they count must not be missed for another suite's sake.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/bench/**', 'tests/rt/**', 'node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'realtime',
          include: ['tests/rt/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
