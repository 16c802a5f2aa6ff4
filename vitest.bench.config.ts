import { defineConfig } from 'vitest/config';

/**
 * Benchmarks only (`npm run bench`): every tests/bench/**\/*.bench.ts file, in Node. Kept apart from
 * vitest.config.ts so `npm test` never runs them; targets are read from the printed tables, not asserted.
 */
export default defineConfig({
  test: {
    name: 'bench',
    environment: 'node',
    benchmark: { include: ['tests/bench/**/*.bench.ts'] },
  },
});
