import { createServer, type Server } from 'node:net';

function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the OS returned no TCP port for a loopback listener'));
        return;
      }
      resolve({ server, port: address.port });
    });
  });
}

/**
 * `count` distinct loopback ports the OS reports free. All listeners stay open until every port is known, so
 * the OS cannot hand out the same port twice; they are closed before returning, for etcd to bind.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const listeners: { server: Server; port: number }[] = [];
  try {
    for (let index = 0; index < count; index += 1) listeners.push(await listenOnFreePort());
    return listeners.map((listener) => listener.port);
  } finally {
    await Promise.all(listeners.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
