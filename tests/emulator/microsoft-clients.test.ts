import { ConfidentialClientApplication } from '@azure/msal-node';
import { BatchRequestContent, BatchResponseContent, Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import type { RunningEmulator } from '@users-sync/emulator/index';
import { decodeJwt, seedTenant, startTestEmulator, type SeededTenant } from './emulator-harness';

describe("Microsoft's own clients against the emulator", () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  let client: Client;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 3500, groups: 10, seed: 404 });
    client = graphClient(tenant.token);
  });
  afterAll(() => emulator.close());

  function graphClient(token: string): Client {
    return Client.initWithMiddleware({
      authProvider: { getAccessToken: async () => token },
      baseUrl: emulator.url,
      // The Graph client only sends the token to Graph hosts, so the emulator's host is named
      // (the host name without the port: that is what the client compares).
      customHosts: new Set([new URL(emulator.url).hostname]),
    });
  }

  function msalApp(authority: string): ConfidentialClientApplication {
    return new ConfidentialClientApplication({
      auth: { clientId: tenant.app.clientId, clientSecret: tenant.app.clientSecret, authority, knownAuthorities: [new URL(emulator.url).host] },
    });
  }

  it('@azure/msal-node gets a client-credentials token from the emulator authority (tenant id or domain)', async () => {
    for (const authority of [`${emulator.url}/${tenant.tenantId}`, `${emulator.url}/${tenant.defaultDomain}`]) {
      const result = await msalApp(authority).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
      expect(result?.accessToken).toBeTruthy();
      const claims = decodeJwt(result!.accessToken);
      expect(claims).toMatchObject({ tid: tenant.tenantId, aud: 'https://graph.microsoft.com', appid: tenant.app.clientId });
      expect(claims.roles).toEqual(['Directory.Read.All', 'Group.Read.All', 'GroupMember.Read.All', 'User.Read.All']);
      expect(Number(claims.exp) - Date.now() / 1000).toBeGreaterThan(3000);
    }
  });

  it('@azure/msal-node surfaces Entra errors: wrong secret, unknown tenant', async () => {
    const wrong = new ConfidentialClientApplication({
      auth: { clientId: tenant.app.clientId, clientSecret: 'not-the-secret', authority: `${emulator.url}/${tenant.tenantId}`, knownAuthorities: [new URL(emulator.url).host] },
    });
    await expect(wrong.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })).rejects.toMatchObject({ errorCode: 'invalid_client' });
    await expect(msalApp(`${emulator.url}/unknown-tenant.example`).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })).rejects.toThrow();
  });

  it('PageIterator walks thousands of users through nextLinks', async () => {
    const first = (await client.api('/users').select(['id', 'mail', 'accountEnabled']).top(999).get()) as PageCollection;
    const ids = new Set<string>();
    const iterator = new PageIterator(client, first, (user: { id: string }) => {
      ids.add(user.id);
      return true;
    });
    await iterator.iterate();
    expect(ids.size).toBe(3500);
    expect(iterator.isComplete()).toBe(true);
  });

  it('RetryHandler retries injected 429s, honoring the fractional Retry-After, and succeeds', async () => {
    await emulator.control.resetCounters(tenant.tenantId);
    await emulator.control.setFaults(tenant.tenantId, { failNext: { count: 2, status: 429 }, retryAfterSeconds: 0.2 });
    const started = Date.now();
    const org = (await client.api('/organization').get()) as { value: Array<{ id: string }> };
    expect(org.value[0]!.id).toBe(tenant.tenantId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const counters = await emulator.control.counters(tenant.tenantId);
    expect(counters.forcedFaults.throttled).toBe(2);
    expect(counters.statuses['429']).toBe(2);
    expect(counters.statuses['200']).toBe(1);
    await emulator.control.clearFaults(tenant.tenantId);
  });

  it('$batch through BatchRequestContent: per-item answers read by BatchResponseContent', async () => {
    const batch = new BatchRequestContent([
      { id: '1', request: new Request(`${emulator.url}/v1.0/users?$top=5&$select=id`, { method: 'GET' }) },
      { id: '2', request: new Request(`${emulator.url}/v1.0/groups?$filter=displayName eq 'arsen'`, { method: 'GET' }) },
      { id: '3', request: new Request(`${emulator.url}/v1.0/users/nobody@nowhere.example`, { method: 'GET' }) },
    ]);
    const raw = (await client.api('/$batch').post(await batch.getContent())) as { responses: Array<{ id: string; status: number }> };
    const responses = new BatchResponseContent(raw);
    expect(responses.getResponseById('1').status).toBe(200);
    expect(((await responses.getResponseById('1').json()) as { value: unknown[] }).value).toHaveLength(5);
    expect(((await responses.getResponseById('2').json()) as { value: Array<{ displayName: string }> }).value[0]!.displayName).toBe('arsen');
    expect(responses.getResponseById('3').status).toBe(404);
  });

  it('$batch: an item whose dependency failed is 424; more than 20 items is a 400', async () => {
    const answer = (await client.api('/$batch').post({
      requests: [
        { id: 'a', method: 'GET', url: '/users/nobody@nowhere.example' },
        { id: 'b', method: 'GET', url: '/organization', dependsOn: ['a'] },
        { id: 'c', method: 'GET', url: 'organization' },
      ],
    })) as { responses: Array<{ id: string; status: number; headers: Record<string, string>; body: unknown }> };
    const byId = Object.fromEntries(answer.responses.map((r) => [r.id, r]));
    expect(byId.a!.status).toBe(404);
    expect(byId.b!.status).toBe(424);
    expect(byId.c!.status).toBe(200);
    expect(byId.c!.headers['Content-Type']).toMatch(/^application\/json/);
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/organization' }));
    await expect(client.api('/$batch').post({ requests: tooMany })).rejects.toMatchObject({ statusCode: 400 });
  });
});
