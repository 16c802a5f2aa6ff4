import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test projects, run in this order by `npm test` (scripts/run-tests.mjs):
 * - unit: the calculation library and other pure modules (fast, no build);
 * - content: frontmatter schema, review dates, builds with a base path and a bad runbook;
 * - runbooks: the lab runtime (tests/lab: namespaced nodes, kubelet stand-in) and the verification harness that
 *   runs runbook commands against a real etcd and HAProxy;
 * - failover: leader-election failover of real kube-controller-manager/kube-scheduler on loopback, beside runbooks;
 * - e2e: the built site in headless Chromium.
 */
/** Runs on loopback only (no lab lock): its own project and stage, so it need not wait for the lab's turn. */
const FAILOVER_TEST = 'tests/runbooks/failover.test.ts';

export default defineConfig({
  test: {
    coverage: {
      provider: 'v8',
      include: ['src/lib/calc/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95, branches: 95, functions: 95, statements: 95 },
    },
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'content', include: ['tests/content/**/*.test.ts'], environment: 'node', testTimeout: 240_000, hookTimeout: 240_000 } },
      // A scenario per etcd minor runs in beforeAll: the hook timeout covers the lab's start and the pages' own waits.
      { test: { name: 'runbooks', include: ['tests/lab/**/*.test.ts', 'tests/runbooks/**/*.test.ts'], exclude: [...configDefaults.exclude, FAILOVER_TEST], environment: 'node', testTimeout: 600_000, hookTimeout: 900_000, fileParallelism: false, globalSetup: ['tests/runbooks/report.global.ts'] } },
      // Leader-election failover on loopback: no lab lock, so it runs as its own stage beside the runbooks stage.
      { test: { name: 'failover', include: [FAILOVER_TEST], environment: 'node', testTimeout: 900_000, hookTimeout: 600_000 } },
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 240_000, fileParallelism: false } },
    ],
  },
});
