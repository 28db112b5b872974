import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createFailedAuthenticationLimit } from '@users-sync/api/http/auth/failed-authentications';
import { eventually } from '../http/api-harness';
import { startStandInEntra, type StandInEntra } from './stand-in-entra';
import { CLIENT_ID, CLIENT_SECRET, NOTIFY_SECRET, secretsIn, startSecuredApi, type SecuredApi } from './secured-api';

const knownTenants = ['4f0a8a3e-2f9c-4d41-9a57-0c1f4a4b1c11', '5a1b2c3d-0000-4000-8000-000000000002', '5a1b2c3d-0000-4000-8000-000000000003', '5a1b2c3d-0000-4000-8000-000000000004', '5a1b2c3d-0000-4000-8000-000000000005'];
const [home] = knownTenants as [string];

/** GET /api/me from a given local address (127.0.0.x are all this machine), as another client would. */
function meFrom(api: SecuredApi, localAddress: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | undefined; code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: api.port, path: '/api/me', localAddress, headers: { authorization: `Bearer ${token}`, ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], code: (JSON.parse(text || '{}') as { code?: string }).code }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the edges stay bounded, whatever an unauthenticated caller sends', () => {
  let entra: StandInEntra;
  let api: SecuredApi;
  let clock = Date.parse('2026-12-03T09:00:00Z');
  const now = () => clock;
  const sent: string[] = [CLIENT_SECRET, NOTIFY_SECRET];
  beforeAll(async () => {
    entra = await startStandInEntra(knownTenants);
    api = await startSecuredApi(entra, {
      limits: {
        failedAuthentications: { maxFailures: 1_000_000 },
        tenantCache: { maxTenants: 3, maxFailedTenants: 5, unknownForMs: 10 * 60_000, now },
        notificationIntake: { maxItems: 100, perSecond: 5, now },
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
    await entra?.close();
  });

  // One person a tenant: the first to sign in owns its organization.
  const people = new Map<string, string>();
  const personToken = async (tenantId: string) => {
    if (!people.has(tenantId)) people.set(tenantId, entra.newObjectId());
    const token = await entra.sign(entra.person(tenantId, people.get(tenantId)!, `someone@${tenantId.slice(0, 8)}.example`), CLIENT_ID);
    sent.push(token);
    return token;
  };

  describe('tokens naming tenants Entra does not know', () => {
    it('asks Entra once about an unknown tenant, however often it is named, until a while has passed', async () => {
      const stranger = randomUUID();
      const token = await personToken(stranger);
      for (let i = 0; i < 25; i += 1) expect((await api.call('GET', '/api/me', { token })).body.code).toBe('TOKEN_UNKNOWN_TENANT');
      expect(entra.discoveriesOf(stranger)).toBe(1);
      clock += 10 * 60_000 + 1000;
      expect((await api.call('GET', '/api/me', { token })).body.code).toBe('TOKEN_UNKNOWN_TENANT');
      expect(entra.discoveriesOf(stranger)).toBe(2);
    });

    it('remembers at most so many tenants, and a flood of made-up ones never pushes out a real one', async () => {
      expect((await api.call('GET', '/api/me', { token: await personToken(home) })).status).toBe(200);
      for (let i = 0; i < 40; i += 1) expect((await api.call('GET', '/api/me', { token: await personToken(randomUUID()) })).status).toBe(401);
      expect(api.app.services.verifyEntraToken.tenants().failed).toBeLessThanOrEqual(5);
      // The made-up tenants went to their own bounded memory: the real one is still known.
      expect((await api.call('GET', '/api/me', { token: await personToken(home) })).status).toBe(200);
      expect(entra.discoveriesOf(home)).toBe(1);
      // Real tenants push each other out, the least recently used first.
      for (const tenantId of knownTenants.slice(1)) expect((await api.call('GET', '/api/me', { token: await personToken(tenantId) })).status).toBe(200);
      expect(api.app.services.verifyEntraToken.tenants().known).toBe(3);
      expect((await api.call('GET', '/api/me', { token: await personToken(knownTenants[4]!) })).status).toBe(200);
      expect(entra.discoveriesOf(knownTenants[4]!)).toBe(1);
      expect((await api.call('GET', '/api/me', { token: await personToken(home) })).status).toBe(200);
      expect(entra.discoveriesOf(home)).toBe(2);
    });
  });

  describe('Graph change notifications', () => {
    const post = (path: string, body: unknown) => fetch(`${api.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('reads at most so many items of one notification, looks each subscription up once, and says so in one line', async () => {
      const lookups = jest.spyOn(api.app.services.store.subscriptions, 'get');
      const linesBefore = api.logLines.length;
      const items = Array.from({ length: 5000 }, (_, i) => ({ subscriptionId: `forged-${i % 40}`, clientState: `guess-${i}`, changeType: 'updated', resource: `Users/${i}` }));
      clock += 60_000;
      const res = await post('/api/graph/notifications', { value: items });
      expect(res.status).toBe(202);
      await eventually(async () => (api.logLines.slice(linesBefore).some((line) => line.includes('were ignored')) ? true : undefined), 'the ignored items are logged');
      expect(lookups.mock.calls.length).toBe(40);
      const lines = api.logLines.slice(linesBefore).filter((line) => /change notification/.test(line));
      expect(lines.length).toBe(2);
      expect(lines.join('\n')).toContain('"ignored":100');
      expect(lines.join('\n')).toContain('"items":5000');
      lookups.mockRestore();
    });

    it('takes so many notifications a second and answers the rest 429 with Retry-After, which Graph honours by delivering again', async () => {
      clock += 60_000;
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 30; i += 1) {
        const res = await post('/api/graph/notifications', { value: [{ subscriptionId: 'forged', clientState: 'guess' }] });
        statuses.push(res.status);
        if (res.status === 429) refused ??= res;
      }
      // A burst of twice the rate, then nothing until time passes (the clock stands still here).
      expect(statuses.filter((s) => s === 202).length).toBe(10);
      expect(statuses.filter((s) => s === 429).length).toBe(20);
      expect(refused!.headers.get('retry-after')).toBe('1');
      expect(((await refused!.json()) as { code: string }).code).toBe('GRAPH_NOTIFICATIONS_THROTTLED');
      // Graph's validation handshake is never throttled: it does no work.
      expect((await fetch(`${api.baseUrl}/api/graph/notifications?validationToken=abc`, { method: 'POST' })).status).toBe(200);
      clock += 1000;
      expect((await post('/api/graph/lifecycle', { value: [] })).status).toBe(202);
    });

    it('lets notifications of a subscription proven genuine through while forged ones are held back', async () => {
      clock += 60_000;
      const { store } = api.app.services;
      const organization = await store.organizations.create('Flooded Inc');
      await store.subscriptions.save({ id: 'sub-genuine', organizationId: organization.id, resource: 'users', clientState: 'the-real-secret', expiresAt: '2099-01-01T00:00:00.000Z' });
      const genuine = { value: [{ subscriptionId: 'sub-genuine', clientState: 'the-real-secret' }] };
      expect((await post('/api/graph/notifications', genuine)).status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 200)); // read after the answer, as Graph wants it within 3 s
      for (let i = 0; i < 30; i += 1) await post('/api/graph/notifications', { value: [{ subscriptionId: 'sub-genuine', clientState: `guess-${i}` }] });
      expect((await post('/api/graph/notifications', { value: [{ subscriptionId: 'forged', clientState: 'guess' }] })).status).toBe(429);
      expect((await post('/api/graph/notifications', genuine)).status).toBe(202);
    });
  });

  it('wrote no token or secret into any log line it produced', () => {
    expect(secretsIn(api.logLines, sent)).toEqual([]);
  });
});

describe('failing authentications, counted per client address', () => {
  let entra: StandInEntra;
  let api: SecuredApi;
  let clock = Date.parse('2026-12-03T09:00:00Z');
  beforeAll(async () => {
    entra = await startStandInEntra([home]);
    api = await startSecuredApi(entra, { limits: { failedAuthentications: { maxFailures: 5, windowMs: 60_000, now: () => clock } } });
  });
  afterAll(async () => {
    await api?.stop();
    await entra?.close();
  });

  it('refuses an address that failed too often for a while, even with a good token, and no other address', async () => {
    const valid = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), CLIENT_ID);
    const misdirected = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), 'another-app');
    for (let i = 0; i < 5; i += 1) expect((await meFrom(api, '127.0.0.1', misdirected)).code).toBe('TOKEN_WRONG_AUDIENCE');
    const blocked = await meFrom(api, '127.0.0.1', valid);
    expect(blocked).toEqual({ status: 429, code: 'TOO_MANY_FAILED_SIGN_INS', retryAfter: '60' });
    expect((await meFrom(api, '127.0.0.2', valid)).status).toBe(200);
    clock += 60_000;
    expect((await meFrom(api, '127.0.0.1', valid)).status).toBe(200);
  });

  it('does not count tokens that merely expired: an office behind one address is not locked out by its own tabs', async () => {
    clock += 60_000;
    const valid = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), CLIENT_ID);
    const expired = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), CLIENT_ID, { expiresIn: '-1h' });
    for (let i = 0; i < 8; i += 1) expect((await meFrom(api, '127.0.0.4', expired)).code).toBe('TOKEN_EXPIRED');
    // Past authentication: this newcomer is simply no member of the organization.
    expect((await meFrom(api, '127.0.0.4', valid)).code).toBe('NOT_A_MEMBER');
  });

  it('counts only refused credentials: a valid sign-in that is not allowed somewhere is no attack', async () => {
    clock += 60_000;
    const stranger = await entra.sign(entra.person(home, entra.newObjectId(), 'nora@contoso.example'), CLIENT_ID);
    for (let i = 0; i < 8; i += 1) expect((await meFrom(api, '127.0.0.3', stranger)).code).toBe('NOT_A_MEMBER');
  });

  it('keeps at most so many addresses in memory, the longest untouched forgotten first', () => {
    const limit = createFailedAuthenticationLimit({ maxFailures: 1, maxAddresses: 10, now: () => 0 });
    for (let i = 0; i < 1000; i += 1) limit.failed(`10.0.${Math.floor(i / 256)}.${i % 256}`);
    expect(limit.size).toBe(10);
    expect(limit.retryAfterSeconds('10.0.3.231')).toBe(60);
    expect(limit.retryAfterSeconds('10.0.0.0')).toBeNull();
  });
});

describe('failing authentications behind a reverse proxy (TRUSTED_PROXIES=1)', () => {
  let entra: StandInEntra;
  let api: SecuredApi;
  beforeAll(async () => {
    entra = await startStandInEntra([home]);
    api = await startSecuredApi(entra, { environment: { TRUSTED_PROXIES: '1' }, limits: { failedAuthentications: { maxFailures: 3 } } });
  });
  afterAll(async () => {
    await api?.stop();
    await entra?.close();
  });

  it('counts each client the proxy names, and believes nothing a client wrote itself', async () => {
    const valid = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), CLIENT_ID);
    const misdirected = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), 'another-app');
    // The attacker sends its own X-Forwarded-For; the proxy appends the address it really saw.
    for (let i = 0; i < 3; i += 1) expect((await meFrom(api, '127.0.0.1', misdirected, { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.66` })).code).toBe('TOKEN_WRONG_AUDIENCE');
    expect((await meFrom(api, '127.0.0.1', valid, { 'x-forwarded-for': '198.51.100.99, 203.0.113.66' })).code).toBe('TOO_MANY_FAILED_SIGN_INS');
    // Another client behind the same proxy is not locked out.
    expect((await meFrom(api, '127.0.0.1', valid, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
  });
});

describe('Entra asked about new tenants, whatever the number of callers', () => {
  let entra: StandInEntra;
  let api: SecuredApi;
  let clock = Date.parse('2026-12-03T09:00:00Z');
  beforeAll(async () => {
    entra = await startStandInEntra([home]);
    api = await startSecuredApi(entra, { limits: { failedAuthentications: { maxFailures: 1_000_000 }, tenantCache: { maxDiscoveriesPerMinute: 5, now: () => clock } } });
  });
  afterAll(async () => {
    await api?.stop();
    await entra?.close();
  });

  it('asks about at most so many tenants a minute, and keeps answering the tenants it knows', async () => {
    const owner = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), CLIENT_ID);
    expect((await api.call('GET', '/api/me', { token: owner })).status).toBe(200);
    const stranger = () => entra.sign(entra.person(randomUUID(), entra.newObjectId(), 'x@example.com'), CLIENT_ID);
    for (let i = 0; i < 4; i += 1) expect((await api.call('GET', '/api/me', { token: await stranger() })).body.code).toBe('TOKEN_UNKNOWN_TENANT');
    const limited = await api.call('GET', '/api/me', { token: await stranger() });
    expect({ status: limited.status, code: limited.body.code, retryAfter: limited.headers.get('retry-after') }).toEqual({ status: 503, code: 'ENTRA_DISCOVERY_LIMITED', retryAfter: '60' });
    expect(entra.discoveriesTotal()).toBe(5);
    expect((await api.call('GET', '/api/me', { token: owner })).status).toBe(200);
    clock += 60_000;
    expect((await api.call('GET', '/api/me', { token: await stranger() })).body.code).toBe('TOKEN_UNKNOWN_TENANT');
  });

  it('keeps a known tenant signing in when its keys are due for a refresh while the limit is spent', async () => {
    clock += 25 * 60 * 60_000; // past the day a known tenant's keys are kept
    const stranger = () => entra.sign(entra.person(randomUUID(), entra.newObjectId(), 'x@example.com'), CLIENT_ID);
    for (let i = 0; i < 5; i += 1) await api.call('GET', '/api/me', { token: await stranger() });
    expect((await api.call('GET', '/api/me', { token: await stranger() })).body.code).toBe('ENTRA_DISCOVERY_LIMITED');
    const owner = await entra.sign(entra.person(home, entra.newObjectId(), 'olivia@contoso.example'), CLIENT_ID);
    // Past authentication (with the keys it knew): this newcomer is simply no member.
    expect((await api.call('GET', '/api/me', { token: owner })).body.code).toBe('NOT_A_MEMBER');
  });
});
