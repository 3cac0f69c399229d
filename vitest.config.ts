import { defineConfig } from 'vitest/config';

// Three groups, run one after the other: every suite first, in parallel; then the web remote in
// a real browser (tests/browser: Chromium and a live server, whose latency figures must not
// suffer from the other suites); then the real-time suites (tests/rt: live audio paced by JACK's
// clock), one file at a time on an otherwise idle machine, because a deadline they count must
// not be missed for another suite's sake.
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
          exclude: ['tests/bench/**', 'tests/rt/**', 'tests/browser/**', 'node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'realtime',
          include: ['tests/rt/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
