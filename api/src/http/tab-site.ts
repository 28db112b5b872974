import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Next, Request, Response, Server } from 'restify';
import { tabContentSecurityPolicy, type SecurityHeaderSettings } from './security-headers';

/** The types of what Vite emits into the tab's build; anything else is bytes (and nosniff keeps it so). */
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Vite names what it builds under `assets/` by content hash, so those never change: any
 * cache may keep them. `index.html` names the current hashes: browsers ask again each time
 * and shared caches (proxies, CDNs) never keep it, so a new version is seen at once.
 */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const ALWAYS_ASK = 'private, no-cache';

/**
 * Serves the built admin tab at `/`, under the tab's Content-Security-Policy. Client-side
 * routes all land on `index.html`. When the tab has not been built, `/` says how to build it
 * instead of answering a bare 404.
 */
export function serveTab(server: Server, distDir: string, headers: SecurityHeaderSettings): void {
  const root = path.resolve(distDir);
  const index = path.join(root, 'index.html');
  const policy = tabContentSecurityPolicy(headers);
  server.get('/*', (req: Request, res: Response, next: Next) => {
    const requested = req.path();
    if (requested.startsWith('/api/')) {
      // An unknown API route is a problem, not the tab's page.
      res.writeHead(404, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'ROUTE_NOT_FOUND', detail: `Nothing is served at GET ${requested}. See /api/openapi.json for the routes.` }));
      return next(false);
    }
    if (!existsSync(index)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`The admin tab is not built yet (no ${index}). Run "npm run build" and reload.\n`);
      return next(false);
    }
    const file = builtFile(root, requested) ?? index;
    const stats = statSync(file);
    const headers = {
      'last-modified': stats.mtime.toUTCString(),
      'cache-control': isHashedAsset(root, file) ? IMMUTABLE : ALWAYS_ASK,
      'content-security-policy': policy,
    };
    // The browser asks again for index.html each time; unchanged, it hears so in a few bytes.
    const since = Date.parse(String(req.headers['if-modified-since'] ?? ''));
    if (!Number.isNaN(since) && Math.floor(stats.mtimeMs / 1000) * 1000 <= since) {
      res.writeHead(304, headers);
      res.end();
      return next(false);
    }
    res.writeHead(200, { ...headers, 'content-type': contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': stats.size });
    if (req.method === 'HEAD') {
      res.end();
      return next(false);
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
    return next(false);
  });
}

/** The file of the build a path names, if it is one: never a path that climbs out of the build folder. */
function builtFile(root: string, requested: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requested);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file === root || !file.startsWith(root + path.sep)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

const isHashedAsset = (root: string, file: string) => file.startsWith(path.join(root, 'assets') + path.sep);
