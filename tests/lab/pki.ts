/**
 * A throw-away PKI in kubeadm's layout, made with openssl. One etcd CA and one Kubernetes CA are shared by every
 * node (kubeadm copies them to joining control-plane nodes); each node gets its own leaf certificates with the
 * subject alternative names kubeadm gives them (cmd/kubeadm/app/util/pkiutil: GetEtcdAltNames and
 * GetEtcdPeerAltNames: the node name, localhost, the advertise address, 127.0.0.1 and ::1).
 *
 * Written per node, under the node's own /etc/kubernetes/pki:
 *   ca.crt, ca.key                                   Kubernetes CA
 *   apiserver-etcd-client.crt/.key                   CN kube-apiserver-etcd-client, clientAuth, signed by the etcd CA
 *   etcd/ca.crt, etcd/ca.key                         etcd CA
 *   etcd/server.crt/.key, etcd/peer.crt/.key         CN <node>, serverAuth + clientAuth, SANs above
 *   etcd/healthcheck-client.crt/.key                 CN kube-etcd-healthcheck-client, clientAuth
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const CERT_DAYS = '2';
const execFileAsync = promisify(execFile);
/**
 * ECDSA P-256, which kubeadm writes when ClusterConfiguration says `encryptionAlgorithm: ECDSA-P256` (v1beta4);
 * its default is RSA-2048, about 15 times slower to generate on the shared CI cores, and nothing the runbooks
 * do depends on the key type.
 */
const KEY_ALGORITHM = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

export interface PkiNode {
  name: string;
  address: string;
  /** The node's /etc/kubernetes as a host path. */
  etcKubernetes: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execFileAsync('openssl', args, { cwd });
}

async function makeCa(dir: string, commonName: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await openssl(
    ['req', '-x509', ...KEY_ALGORITHM, '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', CERT_DAYS, '-subj', `/CN=${commonName}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment'],
    dir,
  );
}

interface Leaf {
  /** File name without extension, relative to the pki folder. */
  file: string;
  commonName: string;
  extendedKeyUsage: string;
  subjectAltName?: string;
}

async function makeLeaf(caDir: string, outDir: string, leaf: Leaf): Promise<void> {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const base = path.join(outDir, leaf.file);
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${leaf.extendedKeyUsage}`,
    ...(leaf.subjectAltName === undefined ? [] : [`subjectAltName=${leaf.subjectAltName}`]),
  ];
  writeFileSync(`${base}.ext`, `${extensions.join('\n')}\n`);
  await openssl(['req', ...KEY_ALGORITHM, '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${leaf.commonName}`], outDir);
  await openssl(
    ['x509', '-req', '-in', `${base}.csr`, '-CA', path.join(caDir, 'ca.crt'), '-CAkey', path.join(caDir, 'ca.key'), '-set_serial', `0x${randomBytes(16).toString('hex')}`,
      '-days', CERT_DAYS, '-extfile', `${base}.ext`, '-out', `${base}.crt`],
    outDir,
  );
  execFileSync('rm', ['-f', `${base}.csr`, `${base}.ext`]);
}

/**
 * Makes both CAs in `workDir` and every node's certificates in its own /etc/kubernetes/pki. Key files are 0600,
 * as kubeadm writes them.
 */
export async function createKubeadmPki(workDir: string, nodes: PkiNode[]): Promise<void> {
  const etcdCa = path.join(workDir, 'etcd-ca');
  const kubeCa = path.join(workDir, 'kubernetes-ca');
  await Promise.all([makeCa(etcdCa, 'etcd-ca'), makeCa(kubeCa, 'kubernetes')]);
  await Promise.all(
    nodes.map(async (node) => {
      const pki = path.join(node.etcKubernetes, 'pki');
      const etcdPki = path.join(pki, 'etcd');
      mkdirSync(etcdPki, { recursive: true, mode: 0o755 });
      for (const file of ['ca.crt', 'ca.key']) {
        copyFileSync(path.join(etcdCa, file), path.join(etcdPki, file));
        copyFileSync(path.join(kubeCa, file), path.join(pki, file));
      }
      const altNames = `DNS:${node.name},DNS:localhost,IP:${node.address},IP:127.0.0.1,IP:0:0:0:0:0:0:0:1`;
      await Promise.all([
        makeLeaf(etcdCa, etcdPki, { file: 'server', commonName: node.name, extendedKeyUsage: 'serverAuth, clientAuth', subjectAltName: altNames }),
        makeLeaf(etcdCa, etcdPki, { file: 'peer', commonName: node.name, extendedKeyUsage: 'serverAuth, clientAuth', subjectAltName: altNames }),
        makeLeaf(etcdCa, etcdPki, { file: 'healthcheck-client', commonName: 'kube-etcd-healthcheck-client', extendedKeyUsage: 'clientAuth' }),
        makeLeaf(etcdCa, pki, { file: 'apiserver-etcd-client', commonName: 'kube-apiserver-etcd-client', extendedKeyUsage: 'clientAuth' }),
      ]);
      execFileSync('sh', ['-c', 'chmod 600 "$1"/*.key "$1"/etcd/*.key', 'sh', pki]);
    }),
  );
}
