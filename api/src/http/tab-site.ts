import { existsSync } from 'node:fs';
import path from 'node:path';
import restify, { type Server } from 'restify';

/**
 * Serves the built admin tab at `/`. When it has not been built, `/` says how to build it
 * instead of answering a bare 404.
 */
export function serveTab(server: Server, distDir: string): void {
  const index = path.join(distDir, 'index.html');
  server.get('/*', (req, res, next) => {
    if (!existsSync(index)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The admin tab is not built yet (no ${index}). Run "npm run build" and reload.\n`);
      return next(false);
    }
    const requested = req.path();
    if (requested.startsWith('/api/')) {
      // An unknown API route is a problem, not the tab's page.
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'ROUTE_NOT_FOUND', detail: `Nothing is served at GET ${requested}. See /api/openapi.json for the routes.` }));
      return next(false);
    }
    const servesFile = requested !== '/' && existsSync(path.join(distDir, path.normalize(requested)));
    if (!servesFile) req.url = '/index.html'; // client-side routes all land on the app
    return restify.plugins.serveStatic({ directory: distDir, default: 'index.html' })(req, res, next);
  });
}
