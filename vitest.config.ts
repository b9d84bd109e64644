import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The interactive view only ever runs where CI is unset (the CLI decides that at start-up),
    // and Ink renders nothing but the last frame when it sees CI: the test workers run as a
    // developer's terminal would, wherever the suite runs. Spawned CLIs get their own env.
    env: { CI: 'false' },
  },
});
