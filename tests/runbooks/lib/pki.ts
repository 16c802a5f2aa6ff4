/**
 * A throw-away etcd PKI in the layout kubeadm writes under `/etc/kubernetes/pki/etcd/` (file names from kubeadm's
 * constants.go: ca, server, peer, healthcheck-client), made with openssl so the sandbox needs nothing else.
 * Every leaf certificate names 127.0.0.1 and localhost, the only addresses the sandbox listens on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface EtcdPki {
  /** `<root>/pki/etcd`, the sandbox's stand-in for `/etc/kubernetes/pki/etcd`. */
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  peerCert: string;
  peerKey: string;
  /** kubeadm's etcd health-check client (CN kube-etcd-healthcheck-client), the client identity runbooks use. */
  healthcheckClientCert: string;
  healthcheckClientKey: string;
}

const CERT_DAYS = '2';

interface LeafSpec {
  name: 'server' | 'peer' | 'healthcheck-client';
  commonName: string;
  extendedKeyUsage: string;
  withAddresses: boolean;
}

// kubeadm gives server and peer certificates both serverAuth and clientAuth (peers dial each other), and the
// health-check client only clientAuth.
const LEAVES: LeafSpec[] = [
  { name: 'server', commonName: 'cp-sandbox', extendedKeyUsage: 'serverAuth, clientAuth', withAddresses: true },
  { name: 'peer', commonName: 'cp-sandbox', extendedKeyUsage: 'serverAuth, clientAuth', withAddresses: true },
  { name: 'healthcheck-client', commonName: 'kube-etcd-healthcheck-client', extendedKeyUsage: 'clientAuth', withAddresses: false },
];

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createEtcdPki(root: string): EtcdPki {
  const dir = path.join(root, 'pki', 'etcd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', CERT_DAYS, '-subj', '/CN=etcd-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
    dir,
  );
  for (const leaf of LEAVES) {
    const extensions = [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${leaf.extendedKeyUsage}`,
      ...(leaf.withAddresses ? ['subjectAltName=DNS:localhost,IP:127.0.0.1'] : []),
    ];
    writeFileSync(path.join(dir, `${leaf.name}.ext`), `${extensions.join('\n')}\n`);
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${leaf.name}.key`, '-out', `${leaf.name}.csr`, '-subj', `/CN=${leaf.commonName}`], dir);
    openssl(
      ['x509', '-req', '-in', `${leaf.name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', CERT_DAYS,
        '-extfile', `${leaf.name}.ext`, '-out', `${leaf.name}.crt`],
      dir,
    );
  }
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
    peerCert: path.join(dir, 'peer.crt'),
    peerKey: path.join(dir, 'peer.key'),
    healthcheckClientCert: path.join(dir, 'healthcheck-client.crt'),
    healthcheckClientKey: path.join(dir, 'healthcheck-client.key'),
  };
}
