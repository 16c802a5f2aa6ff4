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
import { createHash, randomBytes as randomName, X509Certificate } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { labCacheDir } from './versions.ts';

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

/** Seconds a cached PKI must still be valid for to be reused: longer than any lab run, with room to spare. */
const CACHE_MIN_VALID_SECONDS = 12 * 3600;

/**
 * Every node's /etc/kubernetes/pki, copied from a PKI made once per machine for this node list and reused while its
 * certificates stay valid for CACHE_MIN_VALID_SECONDS (they are made for CERT_DAYS). Making it costs 3-7 s of
 * openssl on the shared CI cores, and a runbooks stage starts about 16 labs with the same names and addresses;
 * nothing in a lab writes back into the cache, and a page that changes a node's PKI changes the node's copy only.
 * `HANDBOOK_LAB_PKI_CACHE=0` makes a fresh PKI for every lab. Returns whether the cache was used.
 */
export async function installKubeadmPki(workDir: string, nodes: PkiNode[]): Promise<'cached' | 'made'> {
  if (process.env['HANDBOOK_LAB_PKI_CACHE'] === '0') {
    await createKubeadmPki(workDir, nodes);
    return 'made';
  }
  const key = createHash('sha256')
    .update(JSON.stringify({ layout: 1, algorithm: KEY_ALGORITHM, nodes: nodes.map((node) => [node.name, node.address]) }))
    .digest('hex')
    .slice(0, 16);
  const cacheDir = path.join(labCacheDir(), 'pki', key);
  let made: 'cached' | 'made' = 'cached';
  if (!cachedPkiValid(cacheDir, nodes)) {
    made = 'made';
    // Made aside and renamed into place, so a concurrent lab start never copies a half-made PKI.
    const staging = `${cacheDir}.tmp-${process.pid}-${randomName(4).toString('hex')}`;
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    try {
      await createKubeadmPki(path.join(staging, 'work'), nodes.map((node) => ({ ...node, etcKubernetes: path.join(staging, 'nodes', node.name) })));
      rmSync(cacheDir, { recursive: true, force: true });
      renameSync(staging, cacheDir);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  for (const node of nodes) {
    mkdirSync(node.etcKubernetes, { recursive: true, mode: 0o755 });
    cpSync(path.join(cacheDir, 'nodes', node.name, 'pki'), path.join(node.etcKubernetes, 'pki'), { recursive: true, preserveTimestamps: true });
  }
  return made;
}

function cachedPkiValid(cacheDir: string, nodes: PkiNode[]): boolean {
  const certificates = nodes.flatMap((node) => {
    const pki = path.join(cacheDir, 'nodes', node.name, 'pki');
    return ['ca.crt', 'apiserver-etcd-client.crt', 'etcd/ca.crt', 'etcd/server.crt', 'etcd/peer.crt', 'etcd/healthcheck-client.crt'].map((file) => path.join(pki, file));
  });
  if (!certificates.every((file) => existsSync(file) && existsSync(file.replace(/\.crt$/, '.key')))) return false;
  // Parsed in this process: an openssl call per certificate costs more than making the PKI saves.
  const needed = Date.now() + CACHE_MIN_VALID_SECONDS * 1000;
  try {
    return certificates.every((file) => new X509Certificate(readFileSync(file)).validToDate.getTime() > needed);
  } catch {
    return false;
  }
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
