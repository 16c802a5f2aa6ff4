/**
 * A bounded client that keeps sending API-style requests through the load balancer while the test breaks
 * backends. Every request opens a new TLS connection (no keep-alive), so each one is a fresh balancing
 * decision, and the client verifies the backend's certificate through HAProxy: the load balancer passes TLS
 * through untouched, as it must for kube-apiserver client-certificate authentication to work.
 */
import { request } from 'node:https';

export interface RequestRecord {
  /** Milliseconds since the client started, when the request was sent. */
  sentAtMs: number;
  durationMs: number;
  /** The backend that answered (from its JSON body), or undefined when the request failed. */
  backend: string | undefined;
  error: string | undefined;
}

export interface ClientOptions {
  host: string;
  port: number;
  caPem: string;
  /** Parallel request loops. */
  workers: number;
  /** Pause between one loop's requests, to leave CPU for HAProxy and the backends on a small machine. */
  pauseMs: number;
  requestTimeoutMs: number;
  /** Hard cap on the total number of requests, whatever the run time. */
  maxRequests: number;
}

function oneRequest(options: ClientOptions): Promise<{ backend: string | undefined; error: string | undefined }> {
  return new Promise((resolve) => {
    const outgoing = request(
      {
        host: options.host,
        port: options.port,
        path: '/version',
        method: 'GET',
        ca: options.caPem,
        agent: false,
        timeout: options.requestTimeoutMs,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) {
            resolve({ backend: undefined, error: `HTTP ${response.statusCode ?? '?'}` });
            return;
          }
          try {
            const parsed = JSON.parse(body) as { backend?: unknown };
            resolve(typeof parsed.backend === 'string'
              ? { backend: parsed.backend, error: undefined }
              : { backend: undefined, error: 'response names no backend' });
          } catch {
            resolve({ backend: undefined, error: 'response is not JSON' });
          }
        });
        response.on('error', (error: Error) => resolve({ backend: undefined, error: error.message }));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`timed out after ${options.requestTimeoutMs} ms`)));
    outgoing.on('error', (error: Error) => resolve({ backend: undefined, error: error.message }));
    outgoing.end();
  });
}

export interface RunningClient {
  records: RequestRecord[];
  /** Milliseconds since the client started. */
  elapsedMs: () => number;
  /** Asks the loops to stop and waits for in-flight requests to finish. */
  stop: () => Promise<void>;
}

export function startClient(options: ClientOptions): RunningClient {
  const records: RequestRecord[] = [];
  const startedAt = performance.now();
  const elapsedMs = (): number => performance.now() - startedAt;
  let stopping = false;
  let sent = 0;
  const loop = async (): Promise<void> => {
    while (!stopping && sent < options.maxRequests) {
      sent += 1;
      const sentAtMs = elapsedMs();
      const outcome = await oneRequest(options);
      records.push({ sentAtMs, durationMs: elapsedMs() - sentAtMs, ...outcome });
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
  const loops = Array.from({ length: options.workers }, () => loop());
  return {
    records,
    elapsedMs,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}
