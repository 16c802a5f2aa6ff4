import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.pf_meta': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

export interface StaticSite {
  /** Origin plus base, always ending in `/`, e.g. `http://127.0.0.1:41234/handbook/`. */
  url: string;
  close: () => Promise<void>;
}

/**
 * Serves a built handbook (`dist/`) on a free loopback port, under `base` like a real web server would, so
 * browser tests see the same URLs as readers. Directory URLs serve their `index.html`; unknown paths get the
 * site's `404.html` with status 404.
 */
export async function serveStatic(dir: string, base = '/'): Promise<StaticSite> {
  const root = path.resolve(dir);
  const prefix = `/${base.replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    let file: string | undefined;
    if (pathname.startsWith(prefix)) {
      const candidate = path.join(root, pathname.slice(prefix.length));
      if (candidate.startsWith(root) && existsSync(candidate)) {
        file = statSync(candidate).isDirectory() ? path.join(candidate, 'index.html') : candidate;
        if (!existsSync(file)) file = undefined;
      }
    }
    const status = file ? 200 : 404;
    file ??= path.join(root, '404.html');
    response.writeHead(status, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
