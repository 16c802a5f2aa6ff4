/**
 * A real kubeadm control plane on the lab (kube.ts), brought up once, and the runbooks that run on it, each as a
 * suite from tests/runbooks/kube/ in a fixed order (pages that leave the cluster as they found it first, the rebuild
 * last).
 *
 * Needs the Kubernetes binaries (`npm run lab:build -- --kubernetes`): without them every test here FAILS with that
 * instruction; nothing is skipped. One lab serves the whole file (bring-up costs minutes on two cores).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeLab, LAB_IGNORED_PREFLIGHT_CHECKS, LB_PORT } from '../lab/kube.ts';
import { apiserverLbSuite } from './kube/apiserver-lb.ts';
import { certRenewalSuite } from './kube/cert-renewal.ts';
import { leaderElectionSuite } from './kube/leader-election.ts';
import { rebuildSuite } from './kube/rebuild.ts';
import { seconds, type KubeSuiteContext } from './kube/shared.ts';

let kube: KubeLab | undefined;
let startError: unknown;

function lab(): KubeLab {
  if (kube === undefined) throw startError instanceof Error ? startError : new Error(String(startError));
  return kube;
}

describe('kubeadm control plane in the lab: Kubernetes 1.37, stacked etcd 3.7, HAProxy', () => {
  const print = (line: string) => console.log(`[kube lab] ${line}`);
  const context: KubeSuiteContext = { lab, print };

  beforeAll(async () => {
    try {
      kube = await KubeLab.start({ log: print });
      const t = kube.timings;
      print(`bring-up ${seconds(t.totalMs)}: lab ${seconds(t.labMs)}, kubeadm init ${seconds(t.initMs)}, joins ${t.joinMs.map(seconds).join(' + ')}, all Ready ${seconds(t.readyMs)} (waited ${seconds(kube.lab.timings.waitMs)} for another lab)`);
    } catch (error) {
      startError = error;
    }
  }, 1_800_000);

  afterAll(async () => {
    if (kube === undefined) return;
    const started = Date.now();
    await kube.close();
    print(`teardown ${seconds(Date.now() - started)}`);
  }, 120_000);

  test('kubeadm init and two control-plane joins: three voting etcd members, three Ready nodes, mirror pods, the API through HAProxy', async () => {
    const kubeLab = lab();
    const members = await kubeLab.etcdMembers(1);
    print(`etcd members: ${members.map((member) => member.name).join(', ')}`);
    expect(members.map((member) => member.name).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(members.some((member) => member.isLearner)).toBe(false);
    expect(await kubeLab.nodeReadiness(1)).toEqual({ 'cp-1': 'True', 'cp-2': 'True', 'cp-3': 'True' });
    const pods = await kubeLab.kubectl(1, `-n kube-system get pods -l component=etcd -o jsonpath='{range .items[*]}{.metadata.name} {.metadata.annotations.kubeadm\\.kubernetes\\.io/etcd\\.advertise-client-urls}{"\\n"}{end}'`);
    print(`etcd mirror pods:\n${pods.stdout.trim()}`);
    expect(pods.stdout.trim().split('\n').sort()).toEqual(['etcd-cp-1 https://10.0.0.11:2379', 'etcd-cp-2 https://10.0.0.12:2379', 'etcd-cp-3 https://10.0.0.13:2379']);
    const version = await kubeLab.run(2, `curl -s --cacert /etc/kubernetes/pki/ca.crt https://k8s-api.example.internal:${LB_PORT}/version`);
    expect(JSON.parse(version.stdout).gitVersion).toBe(kubeLab.version);
  }, 120_000);

  test('preflight: the checks the lab downgrades are exactly the ones that fail without a runtime, kubelet and systemd', async () => {
    const kubeLab = lab();
    print(`preflight errors on a fresh node (kubeadm init phase preflight, nothing ignored): ${kubeLab.preflightErrors.join(', ')}`);
    expect([...kubeLab.preflightErrors].sort()).toEqual([...LAB_IGNORED_PREFLIGHT_CHECKS].sort());
  });

  describe('leader-election tuning (leader-election-tuning.mdx)', () => leaderElectionSuite(context));
  describe('API server load balancing (apiserver-load-balancing.mdx)', () => apiserverLbSuite(context));
  describe('certificate renewal (renew-control-plane-certificates.mdx)', () => certRenewalSuite(context));
  describe('rebuild a failed control-plane node (rebuild-control-plane-node.mdx)', () => rebuildSuite(context));
});
