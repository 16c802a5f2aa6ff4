import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test projects, run in this order by `npm test` (scripts/run-tests.mjs):
 * - unit: the calculation library and other pure modules (fast, no build);
 * - content: frontmatter schema, review dates, builds with a base path and a bad runbook;
 * - runbooks: the lab runtime (tests/lab: namespaced nodes, kubelet stand-in) and the verification harness that
 *   runs runbook commands against a real etcd and HAProxy;
 * - kubeadm: the pages run on the kubeadm lab (tests/runbooks/kubeadm.test.ts), beside the runbooks project;
 * - kubeadm-external: the rebuild page's External etcd tab on the kubeadm lab with external etcd
 *   (tests/runbooks/kubeadm-external.test.ts);
 * - loopback: runbook checks that need no lab (HAProxy, leader-election failover), beside the runbooks project;
 * - e2e: the built site in headless Chromium.
 */
/**
 * Tests that take no lab lock (loopback addresses and ports only): their own project and stage, beside the runbooks
 * stage instead of in its queue. haproxy.test.ts: the load-balancer page's HAProxy checks; failover.test.ts:
 * leader-election failover of real kube-controller-manager and kube-scheduler.
 */
const LOOPBACK_TESTS = ['tests/runbooks/haproxy.test.ts', 'tests/runbooks/failover.test.ts'];
/**
 * The kubeadm lab's pages: their own project and stage, so that npm test runs them on the host while the runbooks
 * project (the etcd pages and the lab runtime) runs in a network namespace of its own (scripts/in-own-network.sh).
 */
const KUBEADM_TESTS = ['tests/runbooks/kubeadm.test.ts'];
/**
 * The kubeadm lab with external etcd (three etcd hosts beside the control plane): the rebuild page's External etcd
 * tab. Its own project, so that it runs as a stage of its own (a second kubeadm bring-up).
 */
const KUBEADM_EXTERNAL_TESTS = ['tests/runbooks/kubeadm-external.test.ts'];

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
      { test: { name: 'runbooks', include: ['tests/lab/**/*.test.ts', 'tests/runbooks/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LOOPBACK_TESTS, ...KUBEADM_TESTS, ...KUBEADM_EXTERNAL_TESTS], environment: 'node', testTimeout: 600_000, hookTimeout: 900_000, fileParallelism: false, globalSetup: ['tests/runbooks/report.global.ts'] } },
      { test: { name: 'kubeadm', include: KUBEADM_TESTS, environment: 'node', testTimeout: 900_000, hookTimeout: 1_800_000, fileParallelism: false, globalSetup: ['tests/runbooks/report.global.ts'] } },
      { test: { name: 'kubeadm-external', include: KUBEADM_EXTERNAL_TESTS, environment: 'node', testTimeout: 900_000, hookTimeout: 1_800_000, fileParallelism: false, globalSetup: ['tests/runbooks/report.global.ts'] } },
      // One file at a time: the failover figures are timings, kept apart from HAProxy's health checks.
      { test: { name: 'loopback', include: LOOPBACK_TESTS, environment: 'node', testTimeout: 900_000, hookTimeout: 900_000, fileParallelism: false } },
      // expect.poll waits 15 s, not vitest's 1 s: in CI the browser runs at low priority beside two labs, and a
      // calculator's alert once took longer than 1 s to appear (a failed run, not a wrong page).
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 240_000, fileParallelism: false, expect: { poll: { timeout: 15_000, interval: 100 } } } },
    ],
  },
});
