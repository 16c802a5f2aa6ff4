/**
 * The kubeadm lab with external etcd (kube.ts, `etcd: 'external'`): three etcd hosts etcd-1..etcd-3 (10.0.0.21-23)
 * set up as in the upstream "Set up a High Availability etcd cluster with kubeadm" task, `kubeadm init` on cp-1 with
 * `etcd.external`, two `kubeadm join --control-plane`, HAProxy in front. Brought up once; then the rebuild page's
 * External etcd tab runs end to end (tests/runbooks/kube/rebuild-external.ts), and its broken copies must fail.
 *
 * Needs the Kubernetes binaries (`npm run lab:build -- --kubernetes`): without them every test here FAILS with that
 * instruction; nothing is skipped.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KubeLab, LAB_IGNORED_PREFLIGHT_CHECKS, LB_PORT } from '../lab/kube.ts';
import { rebuildExternalSuite } from './kube/rebuild-external.ts';
import { seconds, type KubeSuiteContext } from './kube/shared.ts';

let kube: KubeLab | undefined;
let startError: unknown;
const fileStarted = Date.now();

function lab(): KubeLab {
  if (kube === undefined) throw startError instanceof Error ? startError : new Error(String(startError));
  return kube;
}

describe('kubeadm control plane in the lab: Kubernetes 1.37, external etcd 3.7 on three hosts, HAProxy', () => {
  const print = (line: string) => console.log(`[kube lab, external etcd] ${line}`);
  const context: KubeSuiteContext = { lab, print };

  beforeAll(async () => {
    try {
      kube = await KubeLab.start({ log: print, etcd: 'external' });
      const t = kube.timings;
      print(`bring-up ${seconds(t.totalMs)}: lab ${seconds(t.labMs)}, external etcd ${seconds(t.externalEtcdMs)}, kubeadm init ${seconds(t.initMs)}, joins ${t.joinMs.map(seconds).join(' + ')}, all Ready ${seconds(t.readyMs)} (waited ${seconds(kube.lab.timings.waitMs)} for another lab)`);
    } catch (error) {
      startError = error;
    }
  }, 1_800_000);

  afterAll(async () => {
    if (kube !== undefined) {
      const started = Date.now();
      await kube.close();
      print(`teardown ${seconds(Date.now() - started)}`);
    }
    print(`whole file ${seconds(Date.now() - fileStarted)}`);
  }, 120_000);

  test('external etcd: three voting members on etcd-1..etcd-3, none on the control plane; three Ready nodes; the API through HAProxy; /readyz/etcd ok on each API server', async () => {
    const kubeLab = lab();
    const members = await kubeLab.etcdMembers('etcd-1');
    print(`external etcd members: ${members.map((member) => `${member.name} ${member.peerURLs.join(' ')}`).join('; ')}`);
    expect(members.map((member) => member.name).sort()).toEqual(['etcd-1', 'etcd-2', 'etcd-3']);
    expect(members.flatMap((member) => member.peerURLs).sort()).toEqual(['https://10.0.0.21:2380', 'https://10.0.0.22:2380', 'https://10.0.0.23:2380']);
    expect(members.some((member) => member.isLearner)).toBe(false);
    expect(await kubeLab.nodeReadiness(1)).toEqual({ 'cp-1': 'True', 'cp-2': 'True', 'cp-3': 'True' });
    // No control-plane node runs an etcd static pod: kubeadm wrote none (external etcd).
    const pods = await kubeLab.kubectl(1, `-n kube-system get pods -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'`);
    print(`kube-system pods: ${pods.stdout.trim().split('\n').join(', ')}`);
    expect(pods.stdout.split('\n').filter((name) => name.startsWith('etcd-'))).toEqual([]);
    for (const index of [1, 2, 3]) expect(kubeLab.lab.runningPod(index, 'etcd')).toBeUndefined();
    const config = await kubeLab.kubectl(1, `-n kube-system get configmap kubeadm-config -o jsonpath='{.data.ClusterConfiguration}'`);
    // kubeadm 1.37 also stores httpEndpoints (defaulted to the endpoints); the fields kubeadm's own serialiser sorts.
    const endpoints = ['    - https://10.0.0.21:2379', '    - https://10.0.0.22:2379', '    - https://10.0.0.23:2379'];
    const external = ['etcd:', '  external:', '    caFile: /etc/kubernetes/pki/etcd/ca.crt', '    certFile: /etc/kubernetes/pki/apiserver-etcd-client.crt', '    endpoints:', ...endpoints, '    httpEndpoints:', ...endpoints, '    keyFile: /etc/kubernetes/pki/apiserver-etcd-client.key'];
    expect(config.stdout).toContain(`\n${external.join('\n')}\n`);
    const version = await kubeLab.run(2, `curl -s --cacert /etc/kubernetes/pki/ca.crt https://k8s-api.example.internal:${LB_PORT}/version`);
    expect(JSON.parse(version.stdout).gitVersion).toBe(kubeLab.version);
    for (const index of [1, 2, 3]) {
      const address = kubeLab.lab.node(index).address;
      const ready = await kubeLab.kubectl(index, `--server https://${address}:6443 get --raw /readyz/etcd`);
      print(`cp-${index}: /readyz/etcd on https://${address}:6443 answers ${JSON.stringify(ready.stdout)}`);
      expect(ready.stdout).toBe('ok');
    }
  }, 120_000);

  test('preflight: the checks the lab downgrades are exactly the ones that fail without a runtime, kubelet and systemd (the external etcd checks run and pass)', async () => {
    const kubeLab = lab();
    print(`preflight errors on a fresh node (kubeadm init phase preflight, nothing ignored): ${kubeLab.preflightErrors.join(', ')}`);
    expect([...kubeLab.preflightErrors].sort()).toEqual([...LAB_IGNORED_PREFLIGHT_CHECKS].sort());
  });

  describe('rebuild a failed control-plane node, External etcd tab (rebuild-control-plane-node.mdx)', () => rebuildExternalSuite(context));
});
