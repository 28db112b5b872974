import http from 'node:http';
import { generateKeyPair } from 'jose';
import { NOTIFY_SECRET_HEADER } from '@users-sync/api/contract/index';
import { CLOUD_APPLICATION_ADMINISTRATOR, startStandInEntra, type StandInEntra } from './stand-in-entra';
import { answerWithoutBody, CLIENT_ID, CLIENT_SECRET, NOTIFY_SECRET, protectedRoutes, samplePath, secretsIn, startSecuredApi, type SecuredApi } from './secured-api';

const tenantA = '4f0a8a3e-2f9c-4d41-9a57-0c1f4a4b1c11';
const tenantB = '7b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/**
 * Driven from the contract's route table: every route that is not public, present and
 * future, refuses each kind of token an attacker can bring, and refuses it before reading
 * the request's body. A route added to the contract is in these tables by itself.
 */
describe('every protected route of the contract', () => {
  let entra: StandInEntra;
  let api: SecuredApi;
  const sent: string[] = [CLIENT_SECRET, NOTIFY_SECRET];
  let ownerToken: string;
  let badTokens: Array<[string, string, number, string]>;

  beforeAll(async () => {
    entra = await startStandInEntra([tenantA, tenantB]);
    // Hundreds of refusals come from this one address here; the limit has its own test.
    api = await startSecuredApi(entra, { limits: { failedAuthentications: { maxFailures: 1_000_000 } } });
    const owner = entra.person(tenantA, entra.newObjectId(), 'olivia@contoso.example');
    ownerToken = await entra.sign(owner, CLIENT_ID);
    expect((await api.call('GET', '/api/me', { token: ownerToken })).status).toBe(200);
    const { privateKey: forgersKey } = await generateKeyPair('RS256');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const unsigned = `${header}.${ownerToken.split('.')[1]}.`;
    badTokens = [
      ['signed with a key Entra never published', await entra.sign(owner, CLIENT_ID, { key: forgersKey }), 401, 'TOKEN_SIGNATURE_INVALID'],
      ['unsigned (alg none)', unsigned, 401, 'TOKEN_INVALID'],
      ['expired', await entra.sign(owner, CLIENT_ID, { expiresIn: '-10m' }), 401, 'TOKEN_EXPIRED'],
      ['issued for another application', await entra.sign(owner, CLIENT_ID, { audience: 'https://graph.microsoft.com' }), 401, 'TOKEN_WRONG_AUDIENCE'],
      ['naming tenant A but signed by tenant B', await entra.sign(owner, CLIENT_ID, { signedBy: tenantB }), 401, 'TOKEN_SIGNATURE_INVALID'],
      ["of tenant B carrying tenant A's issuer", await entra.sign({ ...owner, tid: tenantB }, CLIENT_ID, { issuer: entra.issuerOf(tenantA) }), 401, 'TOKEN_WRONG_ISSUER'],
      ['of a tenant Entra does not know', await entra.sign({ ...owner, tid: '0badc0de-0000-4000-8000-000000000000' }, CLIENT_ID), 401, 'TOKEN_UNKNOWN_TENANT'],
      ['app-only (an app acting alone, no person)', await entra.sign({ tid: tenantA, oid: entra.newObjectId(), idtyp: 'app', roles: ['Directory.Read.All'] }, CLIENT_ID), 403, 'TOKEN_SCOPE_MISSING'],
    ];
    sent.push(ownerToken, ...badTokens.map(([, token]) => token));
  });
  afterAll(async () => {
    await api?.stop();
    await entra?.close();
  });

  const tokenRoutes = protectedRoutes.filter(([, route]) => route.access !== 'bot');

  it('covers every route the contract does not make public', () => {
    expect(protectedRoutes.length).toBeGreaterThan(30);
    expect(tokenRoutes.length + protectedRoutes.filter(([, r]) => r.access === 'bot').length).toBe(protectedRoutes.length);
  });

  it.each(protectedRoutes.map(([id, route]) => [id, route.method.toUpperCase(), samplePath(route), route.access] as const))(
    '%s (%s %s) refuses a request with no credentials, as a problem that says what to do',
    async (_id, method, path, access) => {
      const res = await api.call(method, path);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe(access === 'bot' ? 'BOT_SECRET_INVALID' : access === 'console' ? 'ONBOARDING_SESSION_MISSING' : 'TOKEN_MISSING');
      expect(res.body.detail!.length).toBeGreaterThan(20);
    },
  );

  it.each(tokenRoutes.map(([id, route]) => [id, route.method.toUpperCase(), samplePath(route), route.access] as const))(
    '%s (%s %s) refuses forged, unsigned, expired, wrong-audience, wrong-tenant, unknown-tenant and app-only tokens, and lets a valid one past authentication',
    async (_id, method, path, access) => {
      for (const [kind, token, status, code] of badTokens) {
        const res = await api.call(method, path, { token });
        // A console route takes only a console session: any bearer token is a missing session there.
        const expected = access === 'console' ? { status: 401, code: 'ONBOARDING_SESSION_MISSING' } : { status, code };
        expect({ kind, status: res.status, code: res.body.code }).toEqual({ kind, ...expected });
      }
      if (access !== 'console') {
        const valid = await api.call(method, path, { token: ownerToken });
        expect({ status: valid.status, code: valid.body?.code }).not.toMatchObject({ status: 401 });
        expect(['TOKEN_MISSING', 'TOKEN_INVALID', 'OWNER_ONLY', 'NOT_A_MEMBER']).not.toContain(valid.body?.code);
      }
    },
  );

  it.each(protectedRoutes.map(([id, route]) => [id, route.method.toUpperCase(), samplePath(route)] as const))(
    '%s (%s %s) refuses a forged onboarding session and a wrong bot secret',
    async (_id, method, path) => {
      const session = await api.call(method, path, { headers: { authorization: 'Onboarding Zm9yZ2VkLXNlc3Npb24' } });
      expect(session.status).toBe(401);
      const bot = await api.call(method, path, { headers: { [NOTIFY_SECRET_HEADER]: 'guessed-secret' } });
      expect(bot.status).toBe(401);
      expect(bot.body.code).toBe('BOT_SECRET_INVALID');
    },
  );

  it.each(protectedRoutes.filter(([, route]) => route.method !== 'get').map(([id, route]) => [id, route.method.toUpperCase(), samplePath(route)] as const))(
    '%s (%s %s) refuses a forged token before the body is sent, and never says "continue" to it',
    async (_id, method, path) => {
      const forged = badTokens[0]![1];
      const plain = await answerWithoutBody(api, method, path, { authorization: `Bearer ${forged}`, 'content-type': 'application/json' });
      expect(plain.status).toBe(401);
      const expecting = await answerWithoutBody(api, method, path, { authorization: `Bearer ${forged}`, 'content-type': 'application/json', expect: '100-continue' });
      expect(expecting).toEqual({ status: 401, continued: false });
    },
    40_000,
  );

  it('says "continue" to an authenticated request that sends its body after asking', async () => {
    const answer = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const body = JSON.stringify({ email: 'ines@contoso.example' });
      const request = http.request({
        host: '127.0.0.1',
        port: api.port,
        method: 'POST',
        path: '/api/account/admins',
        headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
      });
      request.on('continue', () => {
        continued = true;
        request.end(body);
      });
      request.on('response', (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0, continued });
      });
      request.on('error', reject);
      request.flushHeaders();
    });
    expect(answer).toEqual({ status: 200, continued: true });
  });

  it('takes away every member route from someone whose Entra admin role was removed, at their next request', async () => {
    const colleague = entra.person(tenantA, entra.newObjectId(), 'cleo@contoso.example');
    const asAdmin = await entra.sign({ ...colleague, wids: [CLOUD_APPLICATION_ADMINISTRATOR] }, CLIENT_ID);
    const before = await api.call('GET', '/api/me', { token: asAdmin });
    expect(before.status).toBe(200);
    const withoutRole = await entra.sign(colleague, CLIENT_ID);
    sent.push(asAdmin, withoutRole);
    for (const [id, route] of tokenRoutes.filter(([, r]) => r.access === 'member' || r.access === 'owner')) {
      const res = await api.call(route.method.toUpperCase(), samplePath(route), { token: withoutRole });
      expect({ id, status: res.status, code: res.body.code }).toEqual({ id, status: 403, code: 'NOT_A_MEMBER' });
    }
  });

  it('wrote no token or secret into any log line it produced', () => {
    expect(api.logLines.length).toBeGreaterThan(100);
    expect(secretsIn(api.logLines, sent)).toEqual([]);
  });
});
