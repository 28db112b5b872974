import { Writable } from 'node:stream';
import { createGraphReader, GraphAuthenticationError, graphReaderFactory, graphScope, msalConfiguration, tenantTokenSource } from '@users-sync/api/graph';
import { createLogger } from '@users-sync/api/service';
import { ScriptedGraph, type SeenRequest } from './scripted-graph';

/** Entra's token error body, as the token endpoint sends it. */
const entraError = (error: string, aadsts: number, description: string) => ({
  status: 400,
  body: { error, error_description: `AADSTS${aadsts}: ${description} Trace ID: t Correlation ID: c Timestamp: 2026-01-01 00:00:00Z`, error_codes: [aadsts], trace_id: 't', correlation_id: 'c' },
});
const form = (request: SeenRequest) => new URLSearchParams(request.body);

let tenantSeq = 0;
const tenant = () => `tenant-${process.pid}-${(tenantSeq += 1)}.example.com`;

describe('app tokens per tenant (MSAL client credentials)', () => {
  let entra: ScriptedGraph;
  beforeAll(async () => {
    entra = await ScriptedGraph.start();
  });
  afterAll(() => entra.close());

  it('asks the token endpoint under the configured authority host, with the Graph .default scope, and caches the token', async () => {
    const tenantId = tenant();
    let issued = 0;
    entra.answer((req) => {
      if (req.url.split('?')[0] === `/${tenantId}/oauth2/v2.0/token`) return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `tok-${(issued += 1)}` } };
      return { status: 200, body: { value: [{ id: 'org' }] } };
    });
    const reader = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'secret-1', authorityHost: entra.url, graphBaseUrl: entra.url });
    await reader.get('/organization');
    await reader.get('/organization');
    const again = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'secret-1', authorityHost: entra.url, graphBaseUrl: entra.url });
    await again.get('/organization');

    // No instance discovery, no OpenID discovery: one token request, then the cache.
    expect(entra.seen.map((r) => r.url.split('?')[0])).toEqual([`/${tenantId}/oauth2/v2.0/token`, '/v1.0/organization', '/v1.0/organization', '/v1.0/organization']);
    const token = form(entra.tokenRequests[0]!);
    expect(token.get('grant_type')).toBe('client_credentials');
    expect(token.get('client_id')).toBe('client-1');
    expect(token.get('scope')).toBe('https://graph.microsoft.com/.default');
    expect(entra.graphRequests.every((r) => r.headers.authorization === 'Bearer tok-1')).toBe(true);
    // Token requests are not Graph requests.
    expect(reader.requestCount).toBe(2);
  });

  it('gets a new token (not the cached one) when Graph answers 401', async () => {
    const tenantId = tenant();
    let issued = 0;
    entra.answer((req) => {
      if (req.url.includes('/oauth2/')) return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `tok-${(issued += 1)}` } };
      if (req.headers.authorization === 'Bearer tok-1') return { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Lifetime validation failed.' } } };
      return { status: 200, body: { id: 'org' } };
    });
    const reader = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'secret-2', authorityHost: entra.url, graphBaseUrl: entra.url });
    await expect(reader.get('/organization')).resolves.toEqual({ id: 'org' });
    expect(entra.tokenRequests).toHaveLength(2);
  });

  it('asks MSAL for a token once for many Graph requests (not once a request), and again after Graph refuses it', async () => {
    const { ConfidentialClientApplication } = await import('@azure/msal-node');
    const asked = jest.spyOn(ConfidentialClientApplication.prototype, 'acquireTokenByClientCredential');
    try {
      const tenantId = tenant();
      let issued = 0;
      entra.answer((req) => {
        if (req.url.includes('/oauth2/')) return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: `tok-${(issued += 1)}` } };
        if (req.headers.authorization === 'Bearer tok-1' && req.url.includes('revoked')) return { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Token revoked.' } } };
        return { status: 200, body: { id: 'org' } };
      });
      const reader = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'secret-held', authorityHost: entra.url, graphBaseUrl: entra.url });
      for (let i = 0; i < 5; i += 1) await reader.get('/organization');
      expect(asked).toHaveBeenCalledTimes(1);
      await reader.get('/organization?revoked');
      await reader.get('/organization');
      expect(asked).toHaveBeenCalledTimes(2);
      expect(entra.graphRequests.slice(-2).map((r) => r.headers.authorization)).toEqual(['Bearer tok-2', 'Bearer tok-2']);
    } finally {
      asked.mockRestore();
    }
  });

  it('renews a token that is within five minutes of expiring before sending it again, and uses the new one after', async () => {
    const tenantId = tenant();
    let issued = 0;
    entra.answer((req) => {
      // The first token lives 4 minutes (inside the renewal margin), the next one an hour.
      if (req.url.includes('/oauth2/')) return { status: 200, body: { token_type: 'Bearer', expires_in: (issued += 1) === 1 ? 240 : 3599, access_token: `tok-${issued}` } };
      return { status: 200, body: { id: 'org' } };
    });
    const reader = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'secret-renew', authorityHost: entra.url, graphBaseUrl: entra.url });
    for (let i = 0; i < 3; i += 1) await reader.get('/organization');
    expect(entra.tokenRequests).toHaveLength(2);
    expect(entra.graphRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2', 'Bearer tok-2']);
  });

  it.each([
    ['a bad client secret', entraError('invalid_client', 7000215, 'Invalid client secret provided.'), 'bad_credentials', /MICROSOFT_CLIENT_SECRET/],
    ['an app unknown in the tenant', entraError('unauthorized_client', 700016, "Application with identifier 'x' was not found in the directory."), 'consent_missing', /connect Microsoft 365 again/],
    ['missing consent', entraError('invalid_grant', 65001, "The user or administrator has not consented to use the application with ID 'x'."), 'consent_missing', /Admin consent has not been granted in tenant .*: ask a Global Administrator .*connect Microsoft 365 again/],
    ['an unknown tenant', entraError('invalid_tenant', 90002, "Tenant 'x' not found."), 'unknown_tenant', /was not found in Microsoft Entra ID/],
  ])('turns %s into GraphAuthenticationError with an actionable message', async (_what, reply, reason, message) => {
    const tenantId = tenant();
    entra.answerInTurn(reply);
    const reader = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'secret-3', authorityHost: entra.url, graphBaseUrl: entra.url });
    const failure = await reader.get('/organization').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphAuthenticationError);
    expect(failure).toMatchObject({ status: 401, code: `AADSTS${(reply.body.error_codes as number[])[0]}`, reason });
    expect((failure as Error).message).toMatch(message);
    expect((failure as Error).message).toContain(tenantId.split('.')[0]!);
    expect(reader.requestCount).toBe(0);
  });

  it('never writes the client secret or a token to the log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'api', level: 'trace', pretty: false }, new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }));
    const tenantId = tenant();
    entra.answer((req, index) => {
      if (req.url.includes('/oauth2/')) return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: 'very-secret-token' } };
      return index === 0 ? { status: 429, headers: { 'Retry-After': '0.01' }, body: { error: { code: 'TooManyRequests', message: 'later' } } } : { status: 200, body: {} };
    });
    const reader = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'do-not-log-me', authorityHost: entra.url, graphBaseUrl: entra.url, logger });
    await reader.get('/organization');
    entra.answerInTurn(entraError('invalid_client', 7000215, 'Invalid client secret provided.'));
    await createGraphReader({ tenantId: tenant(), clientId: 'client-1', clientSecret: 'do-not-log-me', authorityHost: entra.url, graphBaseUrl: entra.url, logger })
      .get('/organization')
      .catch(() => undefined);
    const text = lines.join('');
    expect(text).toMatch(/retried/);
    expect(text).not.toContain('do-not-log-me');
    expect(text).not.toContain('very-secret-token');
  });

  it('retries a token request Entra does not answer in time', async () => {
    const tenantId = tenant();
    let tokenAsks = 0;
    entra.answer((req) => {
      if (req.url.includes('/oauth2/')) return (tokenAsks += 1) === 1 ? { hold: true } : { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: 'late' } };
      return { status: 200, body: { id: 'org' } };
    });
    const reader = createGraphReader({ tenantId, clientId: 'client-1', clientSecret: 'secret-t', authorityHost: entra.url, graphBaseUrl: entra.url, requestTimeoutMs: 1_000, retry: { baseDelayMs: 10 } });
    await expect(reader.get('/organization')).resolves.toEqual({ id: 'org' });
    expect(tokenAsks).toBe(2);
    expect(reader.requestCount).toBe(1);
  });

  it('refuses a tenant that is not a GUID or a domain before calling anyone', () => {
    expect(() => tenantTokenSource({ tenantId: '../common', clientId: 'a', clientSecret: 'b', authorityHost: entra.url })).toThrow(GraphAuthenticationError);
  });

  it('uses one MSAL configuration for the real cloud and the emulator: the host as a known authority, endpoints given', () => {
    for (const host of ['https://login.microsoftonline.com', 'https://localhost:4000']) {
      const config = msalConfiguration({ tenantId: 'contoso.onmicrosoft.com', clientId: 'a', clientSecret: 'b', authorityHost: host });
      expect(config.auth.authority).toBe(`${host}/contoso.onmicrosoft.com`);
      expect(config.auth.knownAuthorities).toEqual([new URL(host).host]);
      expect(JSON.parse(config.auth.authorityMetadata!)).toMatchObject({ token_endpoint: `${host}/contoso.onmicrosoft.com/oauth2/v2.0/token` });
    }
    expect(graphScope('https://graph.microsoft.com')).toBe('https://graph.microsoft.com/.default');
    expect(graphScope('https://graph.microsoft.us')).toBe('https://graph.microsoft.us/.default');
    expect(graphScope('https://localhost:4000')).toBe('https://graph.microsoft.com/.default');
  });

  it('builds readers per tenant from the app configuration, and says which variables to set when there is no app', async () => {
    const tenantId = tenant();
    entra.answer((req) => (req.url.includes('/oauth2/') ? { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: 'tok' } } : { status: 200, body: { id: 'org' } }));
    const readerFor = graphReaderFactory({ clientId: 'client-1', clientSecret: 'secret-f', authorityHost: entra.url, graphBaseUrl: entra.url });
    await expect(readerFor(tenantId).get('/organization')).resolves.toEqual({ id: 'org' });

    const unconfigured = graphReaderFactory({ authorityHost: entra.url, graphBaseUrl: entra.url });
    await expect(unconfigured(tenantId).get('/organization')).rejects.toMatchObject({ code: 'MICROSOFT_APP_NOT_CONFIGURED', message: expect.stringMatching(/MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET/) });
  });

  it('talks to the real cloud with the same code: one token POST to login.microsoftonline.com, then graph.microsoft.com/v1.0', async () => {
    const seen: string[] = [];
    const realFetch = globalThis.fetch;
    // No network here: a stand-in fetch answers as Entra and Graph would, and records where requests went.
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      seen.push(`${init?.method ?? 'GET'} ${url.split('?')[0]}`);
      const body = url.includes('/oauth2/v2.0/token') ? { token_type: 'Bearer', expires_in: 3599, access_token: 'real-cloud-token' } : { value: [{ id: 'org' }] };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    try {
      const tenantId = '72f988bf-86f1-41af-91ab-2d7cd011db47';
      const reader = createGraphReader({ tenantId, clientId: 'client-real', clientSecret: 'secret-real', authorityHost: 'https://login.microsoftonline.com', graphBaseUrl: 'https://graph.microsoft.com' });
      await expect(reader.get('/organization')).resolves.toEqual({ value: [{ id: 'org' }] });
      expect(seen).toEqual([`POST https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`, 'GET https://graph.microsoft.com/v1.0/organization']);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
