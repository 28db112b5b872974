import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadApiConfig } from '@users-sync/api/config';
import { buildApiServices, type ApiOverrides } from '@users-sync/api/composition';
import { createApiApp, type ApiApp } from '@users-sync/api/http/app';
import { close, createLogger, listen } from '@users-sync/api/service/index';
import type { CreateTenantBody, RunningEmulator, TenantSummary } from '@users-sync/emulator/index';
import { startTestEmulator } from '../../emulator/emulator-harness';
import { freePort } from '../../support/free-port';
import { readAnswer, type HttpAnswer } from '../../support/http-answer';

export type ApiAnswer<T = unknown> = HttpAnswer<T>;

/** Polls until `probe` gives a value (tests wait for syncs, notifications, deliveries). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

export interface UsersSyncApp {
  clientId: string;
  clientSecret: string;
}


/**
 * The api over real HTTP on SQLite, with the emulator standing in for Entra and Graph:
 * a registered Users Sync app, and a customer tenant that has not consented yet.
 */
export class ApiHarness {
  private constructor(
    readonly emulator: RunningEmulator,
    readonly usersSync: UsersSyncApp,
    readonly tenant: TenantSummary,
    readonly app: ApiApp,
    readonly baseUrl: string,
    private readonly dataDir: string,
    /** Every line the api logged (at debug level), checked for secrets when the harness stops. */
    readonly logLines: string[],
  ) {}

  /** Tokens and secrets this harness handed out: none may appear in a log line. */
  private readonly secrets: string[] = [];

  static async start(
    options: {
      tenant?: CreateTenantBody;
      emulator?: RunningEmulator;
      databaseUrl?: string;
      botUrl?: string;
      notifySecret?: string;
      changeNotifications?: boolean;
      /** Parts of the composition replaced (a store, a clock, an onboarding courier). */
      overrides?: ApiOverrides;
    } = {},
  ): Promise<ApiHarness> {
    const emulator = options.emulator ?? (await startTestEmulator());
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const usersSync = await emulator.control.registerApp({
      displayName: 'Users Sync',
      redirectUris: [`${publicUrl}/api/microsoft/consent/callback`],
      requiredPermissions: ['User.Read.All', 'Group.Read.All', 'GroupMember.Read.All', 'Directory.Read.All'],
    });
    const tenant = await emulator.control.createTenant({ users: 30, groups: 4, seed: 11, disabledShare: 0.1, guestShare: 0.1, noMailboxShare: 0.05, ...options.tenant, consentedApps: [] });
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-api-'));
    const config = loadApiConfig({
      DATA_DIR: dataDir,
      API_PORT: String(port),
      PUBLIC_URL: publicUrl,
      MICROSOFT_CLIENT_ID: usersSync.clientId,
      MICROSOFT_CLIENT_SECRET: usersSync.clientSecret,
      MICROSOFT_AUTHORITY_HOST: emulator.url,
      GRAPH_BASE_URL: emulator.url,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...(options.botUrl ? { BOT_URL: options.botUrl } : {}),
      ...(options.notifySecret ? { NOTIFY_SECRET: options.notifySecret } : {}),
    });
    const logLines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const services = await buildApiServices(config, createLogger({ service: 'api', level: 'debug', pretty: false }, logStream), {
      resolveMx: async () => [],
      notificationDebounceMs: 100,
      // Tests that count runs exactly turn Graph's notifications off: a change they make would start syncs of its own.
      changeNotifications: options.changeNotifications ?? true,
      ...options.overrides,
    });
    const app = createApiApp(services, '1.0.0');
    await listen(app.server, port, '127.0.0.1', 'API_PORT');
    await app.start();
    const harness = new ApiHarness(emulator, usersSync, tenant, app, publicUrl, dataDir, logLines);
    harness.secrets.push(usersSync.clientSecret, ...(options.notifySecret ? [options.notifySecret] : []));
    return harness;
  }

  async stop(options: { keepEmulator?: boolean } = {}): Promise<void> {
    await close(this.app.server);
    await this.app.stop();
    if (!options.keepEmulator) await this.emulator.close();
    rmSync(this.dataDir, { recursive: true, force: true });
    // Whatever the test did, no token or secret it used reached the api's log.
    const leaks = secretsIn(this.logLines, this.secrets);
    if (leaks.length > 0) throw new Error(`the api logged a token or secret:\n${leaks.slice(0, 5).join('\n')}`);
  }

  /** The run once it is no longer queued or running. */
  settledRun<T extends { status: string }>(token: string, runId: string): Promise<T> {
    return eventually(async () => {
      const run = (await this.call<T>('GET', `/api/sync/runs/${runId}`, { token })).body;
      return run.status === 'queued' || run.status === 'running' ? undefined : run;
    }, `run ${runId} settles`);
  }

  /** A Teams-SSO-style token for our API, as Entra would issue it to `user` (UPN or id). */
  async tokenFor(user: string, overrides: { audience?: string; lifetimeSeconds?: number; tenantId?: string } = {}): Promise<string> {
    const { accessToken } = await this.emulator.control.token(overrides.tenantId ?? this.tenant.tenantId, {
      user,
      clientId: this.usersSync.clientId,
      audience: overrides.audience ?? this.usersSync.clientId,
      scopes: ['access_as_user'],
      ...(overrides.lifetimeSeconds !== undefined ? { lifetimeSeconds: overrides.lifetimeSeconds } : {}),
    });
    this.secrets.push(accessToken);
    return accessToken;
  }

  get adminUpn(): string {
    return this.tenant.admin!.userPrincipalName;
  }

  async call<T = unknown>(method: string, route: string, init: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.baseUrl}${route}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const answer = await readAnswer<T>(res);
    this.secrets.push(...secretsHandedOut(answer.body));
    return answer;
  }

  /**
   * "Connect to Microsoft 365" the way a person does it: the api's consent URL, Entra's
   * consent page accepted (or cancelled) by `consenter`, the redirect back to our callback.
   */
  async consent(token: string, consenter: string, action: 'accept' | 'cancel' = 'accept'): Promise<URL> {
    const start = await this.call<{ consentUrl: string }>('POST', '/api/microsoft/consent', { token });
    if (start.status !== 200) throw new Error(`consent start answered ${start.status}: ${JSON.stringify(start.body)}`);
    const callback = await this.submitConsentPage(start.body.consentUrl, consenter, action);
    return this.followCallback(callback);
  }

  /** Posts Entra's consent page; returns where Entra redirects the browser. */
  async submitConsentPage(consentUrl: string, consenter: string, action: 'accept' | 'cancel'): Promise<string> {
    const url = new URL(consentUrl);
    const page = await fetch(url);
    if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${await page.text()}`);
    const form = new URLSearchParams({ ...Object.fromEntries(url.searchParams), username: consenter, action });
    const answer = await fetch(url, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    const location = answer.headers.get('location');
    if (!location) throw new Error(`consent page did not redirect (${answer.status}): ${await answer.text()}`);
    return location;
  }

  /** Our callback, as the browser follows Entra's redirect; returns where it sends the browser (the tab). */
  async followCallback(callbackUrl: string): Promise<URL> {
    const answer = await fetch(callbackUrl, { redirect: 'manual' });
    const location = answer.headers.get('location');
    if (answer.status !== 302 || !location) throw new Error(`callback answered ${answer.status}: ${await answer.text()}`);
    return new URL(location);
  }
}

/** Secrets an answer of the api hands out: an onboarding link's secret (its URL's fragment) and console session tokens. */
function secretsHandedOut(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const found: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (key === 'url' && value.includes('/onboarding#')) found.push(value.slice(value.indexOf('#') + 1));
      if (key === 'sessionToken') found.push(value);
    } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(body, '');
  return found;
}

/** Log lines holding any of `secrets`, whole or (for a JWT) its signature. */
export function secretsIn(lines: string[], secrets: string[]): string[] {
  const needles = secrets.flatMap((secret) => (secret.split('.').length === 3 ? [secret, secret.split('.')[2]!] : [secret])).filter((s) => s.length >= 8);
  return lines.filter((line) => needles.some((needle) => line.includes(needle)));
}
