/**
 * The kubeadm lab from a shell (root, Node 24): `node tests/lab/kube-cli.ts up` brings the control plane up (kubeadm
 * init on cp-1, joins of cp-2 and cp-3, HAProxy on 10.0.0.10:6443), prints the timings, each node's nsenter line and
 * `ready`, and holds it until Ctrl-C, which tears everything down. A failed bring-up prints the nodes' logs.
 * `node tests/lab/kube-cli.ts up --external`: the same with external etcd on etcd-1..etcd-3 (10.0.0.21-23).
 */
import { KubeLab } from './kube.ts';

try {
  const kube = await KubeLab.start({ etcd: process.argv.includes('--external') ? 'external' : 'stacked' });
  console.log(`lab root ${kube.lab.root}; Kubernetes ${kube.version}, etcd ${kube.lab.release.version}; timings ${JSON.stringify(kube.timings)}`);
  console.log(`preflight errors the lab ignores: ${kube.preflightErrors.join(', ')}`);
  for (const node of kube.lab.nodes) console.log(`${node.name} ${node.address}: PATH=${kube.lab.env()['PATH']} ${kube.lab.commandFor(node.index, ['bash']).join(' ')}`);
  console.log('ready');
  setInterval(() => undefined, 60_000);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
