import path from 'node:path';
import { startEmulator, type CreateTenantBody, type RunningEmulator, type TenantSummary } from '@users-sync/emulator/index';
import { testCertificateDir } from '../support/dev-certificate-path';
import { readAnswer, type HttpAnswer } from '../support/http-answer';

/**
 * An in-process emulator over real HTTPS (the dev CA is trusted by jest's setup), with no
 * tenant until a test seeds one. Tests receive change notifications on http://127.0.0.1, as
 * `npm start` does; Graph itself wants https.
 */
export async function startTestEmulator(): Promise<RunningEmulator> {
  return startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none', allowHttpLoopbackNotifications: true });
}

export interface SeededTenant extends TenantSummary {
  token: string;
}

/** Seeds a tenant and gets an app token for it through the real token endpoint. */
export async function seedTenant(emulator: RunningEmulator, shape: CreateTenantBody): Promise<SeededTenant> {
  const tenant = await emulator.control.createTenant(shape);
  return { ...tenant, token: await appToken(emulator, tenant.tenantId, tenant.app.clientId, tenant.app.clientSecret) };
}

export async function appToken(emulator: RunningEmulator, tenant: string, clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${emulator.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token) throw new Error(`no token: ${body.error_description}`);
  return body.access_token;
}

export type GraphAnswer<T = Record<string, unknown>> = HttpAnswer<T>;

/** GET (or other) against Graph with a bearer token; `pathOrUrl` is relative to /v1.0 or absolute. */
export async function graph<T = Record<string, unknown>>(
  emulator: RunningEmulator,
  token: string | null,
  pathOrUrl: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<GraphAnswer<T>> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${emulator.url}/v1.0${pathOrUrl}`;
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return readAnswer<T>(res);
}

export type Page = { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string; '@odata.deltaLink'?: string; '@odata.count'?: number; '@odata.context'?: string };

/** Follows nextLinks to the end; returns all items and the final page. */
export async function allPages(emulator: RunningEmulator, token: string, first: string, headers: Record<string, string> = {}): Promise<{ items: Array<Record<string, unknown>>; pages: Page[] }> {
  const pages: Page[] = [];
  let url: string | undefined = first;
  while (url) {
    const answer: GraphAnswer<Page> = await graph<Page>(emulator, token, url, { headers });
    if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
    pages.push(answer.body);
    url = answer.body['@odata.nextLink'];
  }
  return { items: pages.flatMap((p) => p.value), pages };
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
