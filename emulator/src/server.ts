import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { ensureDevCertificate } from './tls/dev-certificate';
import type { EmulatorSettings } from './config';
import { version } from './version';
import { createEmulatorState, type EmulatorState } from './emulator-state';
import { controlRouter, seedTenant, tenantSummary, type TenantSummary } from './control/control-routes';
import { EmulatorControl } from './control/control-client';
import { addLoginRoutes, cors } from './entra/login-routes';
import { addSignInPages } from './entra/sign-in-pages';
import { SeededRandom } from './generator/seeded-random';
import { headerRecord, readBody, type EmulatorRequest } from './http/request';
import { json, newRequestId, type Reply } from './http/reply';
import { Router } from './http/router';

export interface RunningEmulator {
  /** The `https://` base of both the login and the Graph surfaces. */
  url: string;
  caPath: string;
  /** `{url}/_emulator`: the control API (emulator/README.md). */
  controlUrl: string;
  /** A typed client of the control API. */
  control: EmulatorControl;
  /** The tenant seeded at start (`--demo` or generated), if any. */
  tenant: TenantSummary | null;
  /** The default app registration (multi-tenant), consented in the seeded tenant. */
  app: { clientId: string; clientSecret: string };
  /** In-process access to the emulated cloud (tests in this repository only). */
  state: EmulatorState;
  close(): Promise<void>;
}

/** Starts the emulator's HTTPS server: Entra login, Graph v1.0 and the control API on one port. */
export async function startEmulator(settings: EmulatorSettings, logger: Logger = pino({ level: settings.logLevel })): Promise<RunningEmulator> {
  const tls = await ensureDevCertificate(path.join(settings.dataDir, 'certs'));
  let base = '';
  // Deterministic credentials per seed, so a restarted demo keeps the same app.
  const credentials = new SeededRandom(settings.seed + 1_000_003);
  const state = await createEmulatorState(logger, { clientId: credentials.guid(), clientSecret: credentials.secret(40) }, () => base, { allowHttpLoopback: settings.allowHttpLoopbackNotifications ?? false }, { enabled: settings.latency === 'default' });

  const login = new Router();
  const loginContext = { cloud: state.cloud, keys: state.keys, issuer: state.issuer, signIn: state.signIn, base: () => base };
  addLoginRoutes(login, loginContext);
  addSignInPages(login, loginContext);
  const control = controlRouter(state);

  const dispatch = async (request: EmulatorRequest): Promise<Reply> => {
    const pathname = request.url.pathname;
    if (request.method === 'OPTIONS') return { status: 204, headers: { ...cors(), 'access-control-max-age': '86400' } };
    if (pathname === '/healthz' && request.method === 'GET') return json(200, { status: 'ok', service: 'emulator', version, tenants: state.cloud.tenants().length });
    if (/^\/v1\.0(\/|$)/i.test(pathname)) return state.graph.handle(request);
    const router = pathname.startsWith('/_emulator/') ? control : login;
    const match = router.match(request.method, pathname);
    if (match === undefined || match === 'method-not-allowed')
      return json(match ? 405 : 404, { error: { code: 'NotFound', message: `No emulated endpoint at ${request.method} ${pathname}` } });
    request.params = match.params;
    return match.handler(request);
  };

  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    void (async () => {
      let reply: Reply;
      try {
        const headers = headerRecord(req);
        const request: EmulatorRequest = {
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', base),
          headers,
          body: await readBody(req),
          base,
          requestId: newRequestId(),
          clientRequestId: headers['client-request-id'],
          params: {},
        };
        reply = await dispatch(request);
        logger.debug({ method: request.method, path: request.url.pathname, status: reply.status }, 'emulator request');
      } catch (error) {
        logger.error({ err: error }, 'emulator request failed');
        reply = json(500, { error: { code: 'InternalServerError', message: error instanceof Error ? error.message : String(error) } });
      }
      if (reply.drop) {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { ...reply.headers };
      let payload: string | undefined;
      if (reply.json !== undefined) {
        payload = JSON.stringify(reply.json);
        headers['content-type'] ??= 'application/json; charset=utf-8';
      } else if (reply.text !== undefined) {
        payload = reply.text;
        headers['content-type'] ??= 'text/plain; charset=utf-8';
      }
      if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
      res.writeHead(reply.status, headers);
      res.end(payload);
    })();
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${settings.port} is already in use. Stop what is using it, or set EMULATOR_PORT (or --port) to another port.`) : error),
    );
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${settings.host === '127.0.0.1' || settings.host === '0.0.0.0' ? 'localhost' : settings.host}:${port}`;
  base = url;

  let tenant: TenantSummary | null = null;
  if (settings.tenant === 'demo') tenant = tenantSummary(state, seedTenant(state, { demo: true }));
  else if (settings.tenant === 'generated') tenant = tenantSummary(state, seedTenant(state, { users: settings.users, groups: settings.groups, seed: settings.seed }));
  logger.debug({ url, tenant: tenant?.tenantId }, 'emulator listening');

  return {
    url,
    caPath: tls.caPath,
    controlUrl: `${url}/_emulator`,
    control: new EmulatorControl(url),
    tenant,
    app: { clientId: state.defaultApp.clientId, clientSecret: state.defaultApp.secrets[0]! },
    state,
    close: () =>
      new Promise<void>((resolve) => {
        state.webhooks.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
