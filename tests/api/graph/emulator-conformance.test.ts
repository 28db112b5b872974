import path from 'node:path';
import { z } from 'zod';
import { startEmulator, type RunningEmulator, type TenantSummary } from '@users-sync/emulator/index';
import { createGraphReader, DeltaTokenExpiredError, GraphAuthenticationError, GraphError, type GraphReaderOptions } from '@users-sync/api/graph';
import { testCertificateDir } from '../../support/dev-certificate-path';

/**
 * The Graph access layer against the emulator, through the same code the real cloud gets:
 * MSAL asks the emulator's token endpoint, the Graph client reads its v1.0 surface.
 */
const user = z.object({ id: z.string(), userPrincipalName: z.string(), accountEnabled: z.boolean() });
const select = '$select=id,userPrincipalName,accountEnabled';

describe('Graph access against the emulator', () => {
  let emulator: RunningEmulator;
  let tenant: TenantSummary;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
    tenant = await emulator.control.createTenant({ users: 2_500, groups: 3, seed: 11 });
  }, 60_000);
  afterAll(() => emulator?.close());

  const reader = (extra: Partial<GraphReaderOptions> = {}) =>
    createGraphReader({
      tenantId: tenant.tenantId,
      clientId: tenant.app.clientId,
      clientSecret: tenant.app.clientSecret,
      authorityHost: emulator.url,
      graphBaseUrl: emulator.url,
      retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 },
      ...extra,
    });

  async function readAllUsers(r: ReturnType<typeof reader>): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of r.pages(`/users?$top=999&${select}`, { schema: user })) {
      pages += 1;
      ids.push(...page.value.map((u) => u.id));
    }
    return { ids, pages };
  }

  it('gets a token from the emulator authority and pages thousands of users at 999 a page', async () => {
    await emulator.control.resetCounters(tenant.tenantId);
    const r = reader();
    const { ids, pages } = await readAllUsers(r);
    const expected = await emulator.control.users(tenant.tenantId, { state: 'active', limit: 1 });
    expect(ids).toHaveLength(expected.total);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(expected.total / 999));
    expect(r.requestCount).toBe(pages);
    const counters = await emulator.control.counters(tenant.tenantId);
    expect(counters.requests).toBe(pages);
  });

  it('the tenant can be named by its domain as well as its id', async () => {
    const r = reader({ tenantId: tenant.initialDomain });
    await expect(r.get<{ value: unknown[] }>(`/users?$top=1&${select}`)).resolves.toMatchObject({ value: [expect.objectContaining({ id: expect.any(String) })] });
  });

  it('ends with the same result as a clean read when the emulator injects 429s, 503s and dropped connections', async () => {
    const clean = await readAllUsers(reader());
    await emulator.control.resetCounters(tenant.tenantId);
    await emulator.control.setFaults(tenant.tenantId, { throttleShare: 0.3, unavailableShare: 0.2, retryAfterSeconds: 0.05, failNext: { count: 2, status: 'drop' } });
    try {
      const r = reader();
      const faulty = await readAllUsers(r);
      expect(faulty.ids).toEqual(clean.ids);
      expect(r.requestCount).toBeGreaterThan(clean.pages);
      const counters = await emulator.control.counters(tenant.tenantId);
      expect(counters.forcedFaults.dropped).toBe(2);
      expect(counters.forcedFaults.throttled + counters.forcedFaults.unavailable).toBeGreaterThan(0);
    } finally {
      await emulator.control.clearFaults(tenant.tenantId);
    }
  });

  it('gives up with the Graph error when the emulator keeps throttling past the attempts allowed', async () => {
    await emulator.control.setFaults(tenant.tenantId, { failNext: { count: 3, status: 429 }, retryAfterSeconds: 0.01 });
    try {
      const r = reader({ retry: { maxAttempts: 3, baseDelayMs: 10 } });
      const failure = await r.get(`/users?$top=5&${select}`).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(GraphError);
      expect(failure).toMatchObject({ status: 429, code: 'TooManyRequests' });
      expect(r.requestCount).toBe(3);
    } finally {
      await emulator.control.clearFaults(tenant.tenantId);
    }
  });

  it('waits out the emulator’s own resource-unit throttling (fractional Retry-After) and gets every answer', async () => {
    const { value } = await reader().get<{ value: Array<{ id: string }> }>(`/users?$top=26&$select=id`);
    await emulator.control.setThrottling(tenant.tenantId, { resourceUnitsPer10Seconds: 20 });
    await emulator.control.resetCounters(tenant.tenantId);
    try {
      const r = reader({ maxConcurrency: 8 });
      const answers = await Promise.all(value.map((u) => r.get<{ id: string }>(`/users/${u.id}?$select=id`)));
      expect(answers.map((a) => a.id)).toEqual(value.map((u) => u.id));
      const counters = await emulator.control.counters(tenant.tenantId);
      expect(counters.throttled).toBeGreaterThan(0);
      expect(r.requestCount).toBe(value.length + counters.throttled);
    } finally {
      await emulator.control.setThrottling(tenant.tenantId, { resourceUnitsPer10Seconds: null });
    }
  });

  it('reads up to 20 users a $batch call, results in request order', async () => {
    const { value } = await reader().get<{ value: Array<{ id: string }> }>(`/users?$top=25&$select=id`);
    const r = reader();
    const results = await r.batch(
      value.map((u) => `/users/${u.id}?${select}`),
      { schema: user },
    );
    expect(results.map((x) => (x.ok ? x.body.id : `failed ${x.status}`))).toEqual(value.map((u) => u.id));
    expect(r.requestCount).toBe(2);
  });

  it('re-sends only the $batch items the emulator throttled, until all are answered', async () => {
    const { value } = await reader().get<{ value: Array<{ id: string }> }>(`/users?$top=20&$select=id`);
    await emulator.control.setThrottling(tenant.tenantId, { resourceUnitsPer10Seconds: 14 });
    await emulator.control.resetCounters(tenant.tenantId);
    try {
      const r = reader();
      const results = await r.batch(value.map((u) => `/users/${u.id}?$select=id`));
      expect(results.every((x) => x.ok)).toBe(true);
      expect((await emulator.control.counters(tenant.tenantId)).throttled).toBeGreaterThan(0);
      expect(r.requestCount).toBeGreaterThan(1);
    } finally {
      await emulator.control.setThrottling(tenant.tenantId, { resourceUnitsPer10Seconds: null });
    }
  });

  it('expired delta link → DeltaTokenExpiredError', async () => {
    const r = reader();
    let deltaLink: string | undefined;
    for await (const page of r.pages(`/users/delta?$deltatoken=latest&${select}`)) deltaLink = page.deltaLink ?? deltaLink;
    expect(deltaLink).toMatch(/\$deltatoken=/);
    await emulator.control.expireDeltaTokens(tenant.tenantId);
    const failure = await (async () => {
      for await (const page of r.pages(deltaLink!)) void page;
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeltaTokenExpiredError);
  });

  it('turns a wrong client secret into GraphAuthenticationError that names the variable', async () => {
    const r = reader({ clientSecret: 'not-the-secret-at-all' });
    const failure = await r.get('/users?$top=1').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphAuthenticationError);
    expect(failure).toMatchObject({ code: 'AADSTS7000215', reason: 'bad_credentials', message: expect.stringMatching(/MICROSOFT_CLIENT_SECRET/) });
  });

  it('turns an unknown tenant into GraphAuthenticationError', async () => {
    const failure = await reader({ tenantId: 'nobody-here.onmicrosoft.com' })
      .get('/users?$top=1')
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'AADSTS90002', reason: 'unknown_tenant' });
  });

  it('says consent must be granted again when the admin revoked it, once the token it holds has expired (403)', async () => {
    const other = await emulator.control.createTenant({ users: 5, groups: 1, seed: 12 });
    const r = createGraphReader({ tenantId: other.tenantId, clientId: other.app.clientId, clientSecret: other.app.clientSecret, authorityHost: emulator.url, graphBaseUrl: emulator.url });
    await expect(r.get(`/users?$top=1&${select}`)).resolves.toBeDefined();
    await emulator.control.revokeConsent(other.tenantId, other.app.clientId);
    // The token already issued works until it expires (access-tokens); the next one carries no permission.
    await expect(r.get(`/users?$top=1&${select}`)).resolves.toBeDefined();
    await emulator.control.advanceClock(other.tenantId, 2 * 3600);
    const failure = await r.get(`/users?$top=1&${select}`).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphError);
    expect(failure).toMatchObject({ status: 403, code: 'Authorization_RequestDenied' });
    expect((failure as Error).message).toMatch(/lacks permission.*connect Microsoft 365 again/s);
  });
});
