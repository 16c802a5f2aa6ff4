/**
 * The lab from a shell, for debugging and for the reaping test (run as root, Node 24):
 *
 *   node tests/lab/cli.ts up [--etcd 3.6] [--bring-up none]   bring a lab up, print "ready", hold it until Ctrl-C
 *   node tests/lab/cli.ts reap                                  remove what a killed lab left behind
 *
 * While `up` holds a lab: `nsenter --net=/run/netns/cp-1 --mount=<root>/ns/cp-1.mnt --uts=<root>/ns/cp-1.uts bash`
 * (the exact line is printed) opens a shell in cp-1; put `<root>/bin` and the etcd folder first on PATH there.
 */
import { parseArgs } from 'node:util';
import { Lab } from './lab.ts';
import { reapAbandoned } from './teardown.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { etcd: { type: 'string', default: '3.6' }, 'bring-up': { type: 'string', default: 'kubeadm-join' } },
});

if (positionals[0] === 'reap') {
  console.log(reapAbandoned() ?? 'nothing to reap');
} else if (positionals[0] === 'up') {
  const bringUp = values['bring-up'] === 'none' ? 'none' : 'kubeadm-join';
  const lab = await Lab.start({ etcd: values.etcd, bringUp });
  console.log(`lab root ${lab.root}; etcd ${lab.release.version}; timings ${JSON.stringify(lab.timings)}`);
  for (const node of lab.nodes) {
    console.log(`${node.name} ${node.address}: PATH=${lab.env()['PATH']} ${lab.commandFor(node.index, ['bash']).join(' ')}`);
  }
  console.log('ready');
  // Held until a signal: the lab's SIGINT/SIGTERM handlers tear it down and exit.
  setInterval(() => undefined, 60_000);
} else {
  console.error('usage: node tests/lab/cli.ts up [--etcd 3.6] [--bring-up none] | reap');
  process.exitCode = 2;
}
