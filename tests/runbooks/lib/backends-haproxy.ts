/**
 * Stand-in kube-apiservers for the HAProxy verification: small Node HTTPS servers on distinct loopback
 * addresses that share one port, exactly like three control-plane nodes that all listen on :6443.
 * `/readyz` answers like the real endpoint (200 `ok`, or 500 while the server is "not ready"); every other
 * path answers a short JSON body naming the backend, so a client can tell which server it reached.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer, type Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
}

/**
 * Makes a throw-away self-signed certificate with openssl. Its SANs name every address a client may dial
 * (the load balancer's and each backend's), so clients verify it for real instead of skipping verification.
 */
export async function makeSelfSignedCertificate(dir: string, ipAddresses: readonly string[]): Promise<TlsMaterial> {
  const certPath = path.join(dir, 'apiserver.crt');
  const keyPath = path.join(dir, 'apiserver.key');
  const subjectAltName = ipAddresses.map((ip) => `IP:${ip}`).join(',');
  await execFileAsync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '1',
    '-subj', '/CN=kube-apiserver-stand-in', '-addext', `subjectAltName=${subjectAltName}`,
  ]);
  return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
}

/** True when nothing listens on `host:port` yet (a listen attempt succeeds). */
function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createTcpServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** A port the kernel hands out on `host` (port 0), released again before returning. */
export function ephemeralPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** A port that is free on every one of `hosts` at the same time (tries a few kernel-chosen candidates). */
export async function portFreeOnAll(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const candidate = await ephemeralPort(hosts[0]);
    const free = await Promise.all(hosts.map((host) => canListen(host, candidate)));
    if (free.every(Boolean)) return candidate;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')} after 20 attempts`);
}

export type BackendHealth = 'ready' | 'not-ready';

export class StandInApiServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Requests answered on paths other than `/readyz`, i.e. client traffic that reached this backend. */
  servedRequests = 0;
  /** Health checks answered (any status). */
  healthChecks = 0;
  health: BackendHealth = 'ready';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly tls: TlsMaterial;

  constructor(name: string, host: string, port: number, tls: TlsMaterial) {
    this.name = name;
    this.host = host;
    this.port = port;
    this.tls = tls;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer({ cert: this.tls.certPem, key: this.tls.keyPem }, (request, response) => {
      const pathname = new URL(request.url ?? '/', 'https://stand-in').pathname;
      if (pathname === '/readyz') {
        this.healthChecks += 1;
        const ready = this.health === 'ready';
        response.writeHead(ready ? 200 : 500, { 'content-type': 'text/plain' });
        response.end(ready ? 'ok' : '[-]etcd failed: reason withheld\nreadyz check failed');
        return;
      }
      this.servedRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ backend: this.name, path: pathname }));
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
  }

  /** Stops like a crashed node: the listener goes away and open connections are cut. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
