import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadApiConfig } from '@users-sync/api/config';
import { buildApiServices, type ApiOverrides } from '@users-sync/api/composition';
import { routes, type RouteDefinition, type RouteId } from '@users-sync/api/contract/index';
import { createApiApp, type ApiApp } from '@users-sync/api/http/app';
import { close, createLogger, listen } from '@users-sync/api/service/index';
import { freePort } from '../../support/free-port';
import { readAnswer, type HttpAnswer } from '../../support/http-answer';

export { secretsIn } from '../http/api-harness';
import type { StandInEntra } from './stand-in-entra';

export const CLIENT_ID = 'c0ffee00-1111-4222-8333-444455556666';
export const CLIENT_SECRET = 'client-secret-that-never-reaches-a-log';
export const NOTIFY_SECRET = 'bot-shared-secret-that-never-reaches-a-log';
/** The hashed asset of the stand-in tab build. */
export const TAB_ASSET = '/assets/index-3f9a1c2e.js';

export interface SecuredApi {
  app: ApiApp;
  baseUrl: string;
  port: number;
  /** Every line the api logged, as written. */
  logLines: string[];
  call(method: string, route: string, init?: { token?: string; headers?: Record<string, string>; body?: unknown }): Promise<HttpAnswer<{ code?: string; status?: number; detail?: string }>>;
  stop(): Promise<void>;
}

/**
 * The api over real HTTP on SQLite, checking tokens against a stand-in Entra whose keys the
 * test holds, serving a stand-in tab build, with every log line kept for the secrets check.
 */
export async function startSecuredApi(entra: StandInEntra, options: { publicUrl?: string; limits?: ApiOverrides['limits']; environment?: Record<string, string> } = {}): Promise<SecuredApi> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-security-'));
  const tabDir = path.join(dataDir, 'tab');
  mkdirSync(path.join(tabDir, 'assets'), { recursive: true });
  writeFileSync(path.join(tabDir, 'index.html'), `<!doctype html><html><head><script type="module" src="${TAB_ASSET}"></script></head><body><div id="root"></div></body></html>`);
  writeFileSync(path.join(tabDir, TAB_ASSET), 'console.log("tab");');
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadApiConfig({
    DATA_DIR: dataDir,
    API_PORT: String(port),
    PUBLIC_URL: options.publicUrl ?? baseUrl,
    MICROSOFT_CLIENT_ID: CLIENT_ID,
    MICROSOFT_CLIENT_SECRET: CLIENT_SECRET,
    MICROSOFT_AUTHORITY_HOST: entra.base,
    // Nothing answers there: these tests never reach Graph.
    GRAPH_BASE_URL: 'https://127.0.0.1:9',
    NOTIFY_SECRET,
    TAB_DIST_DIR: tabDir,
    BOT_URL: 'http://127.0.0.1:9',
    ...options.environment,
  });
  const services = await buildApiServices(config, createLogger({ service: 'api', level: 'debug', pretty: false }, logStream), {
    resolveMx: async () => [],
    changeNotifications: false,
    limits: options.limits,
  });
  const app = createApiApp(services, '1.0.0');
  await listen(app.server, port, '127.0.0.1', 'API_PORT');
  return {
    app,
    baseUrl,
    port,
    logLines,
    async call(method, route, init = {}) {
      const res = await fetch(`${baseUrl}${route}`, {
        method,
        redirect: 'manual',
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      // An event stream would never end: its headers are what the tests read.
      if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        await res.body?.cancel();
        return { status: res.status, headers: res.headers, body: {} };
      }
      return readAnswer(res);
    },
    async stop() {
      await close(app.server);
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A route's path with a made-up value for each parameter. */
export function samplePath(route: RouteDefinition): string {
  return route.path.replace(/:(\w+)/g, (_match, name: string) => (name === 'scope' ? 'personal' : `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`));
}

export const protectedRoutes = (Object.entries(routes) as Array<[RouteId, RouteDefinition]>).filter(([, route]) => route.access !== 'public');
export const publicRoutes = (Object.entries(routes) as Array<[RouteId, RouteDefinition]>).filter(([, route]) => route.access === 'public');

/**
 * Sends a request's headers announcing a body, and never sends the body: resolves with the
 * answer's status if the api answers anyway, or 'no answer' if it waits for the body.
 */
export function answerWithoutBody(api: SecuredApi, method: string, route: string, headers: Record<string, string>, waitMs = 15_000): Promise<{ status: number | 'no answer'; continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const request = http.request({ host: '127.0.0.1', port: api.port, method, path: route, headers: { 'content-length': '200000', ...headers } });
    const timer = setTimeout(() => {
      request.destroy();
      resolve({ status: 'no answer', continued });
    }, waitMs);
    request.on('continue', () => (continued = true));
    request.on('response', (response) => {
      clearTimeout(timer);
      response.resume();
      request.destroy();
      resolve({ status: response.statusCode ?? 0, continued });
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.flushHeaders();
  });
}

