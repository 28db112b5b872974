import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { RunningEmulator } from '@users-sync/emulator/index';
import { appToken, decodeJwt, graph, seedTenant, startTestEmulator, type SeededTenant } from './emulator-harness';

type EntraErrorBody = { error: string; error_description: string; error_codes: number[]; trace_id: string; correlation_id: string };

describe('Entra login endpoints', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  const redirectUri = 'http://localhost:3999/auth/callback';
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 60, groups: 3, seed: 606 });
  });
  afterAll(() => emulator.close());

  async function form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return fetch(`${emulator.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });
  }

  it('answers OpenID discovery by tenant id and by verified domain, naming the tenant in issuer and endpoints', async () => {
    for (const key of [tenant.tenantId, tenant.defaultDomain, tenant.initialDomain]) {
      const res = await fetch(`${emulator.url}/${key}/v2.0/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      const config = (await res.json()) as Record<string, string>;
      expect(config.issuer).toBe(`${emulator.url}/${tenant.tenantId}/v2.0`);
      expect(config.token_endpoint).toBe(`${emulator.url}/${tenant.tenantId}/oauth2/v2.0/token`);
      expect(config.authorization_endpoint).toBe(`${emulator.url}/${tenant.tenantId}/oauth2/v2.0/authorize`);
    }
    const common = (await (await fetch(`${emulator.url}/organizations/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(common.issuer).toBe(`${emulator.url}/{tenantid}/v2.0`);
  });

  it('answers AADSTS90002 for an unknown domain', async () => {
    const res = await fetch(`${emulator.url}/not-a-tenant.example/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as EntraErrorBody;
    expect(body.error).toBe('invalid_tenant');
    expect(body.error_codes).toEqual([90002]);
    expect(body.error_description).toMatch(/^AADSTS90002: Tenant 'not-a-tenant.example' not found/);
  });

  it('signs RS256 tokens verifiable with the published JWKS', async () => {
    const config = (await (await fetch(`${emulator.url}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as { jwks_uri: string; issuer: string };
    const jwks = (await (await fetch(config.jwks_uri)).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(tenant.token, createLocalJWKSet(jwks), { issuer: config.issuer, audience: 'https://graph.microsoft.com' });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.tid).toBe(tenant.tenantId);
  });

  it('answers token errors in Entra shape: wrong secret, unknown client, scope without /.default, no service principal', async () => {
    const base = { client_id: tenant.app.clientId, client_secret: tenant.app.clientSecret, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' };
    const wrong = await form(`/${tenant.tenantId}/oauth2/v2.0/token`, { ...base, client_secret: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as EntraErrorBody).error_codes).toEqual([7000215]);
    const unknown = await form(`/${tenant.tenantId}/oauth2/v2.0/token`, { ...base, client_id: '11111111-2222-3333-4444-555555555555' });
    expect(((await unknown.json()) as EntraErrorBody).error_codes).toEqual([700016]);
    const scope = await form(`/${tenant.tenantId}/oauth2/v2.0/token`, { ...base, scope: 'https://graph.microsoft.com/User.Read.All' });
    expect(((await scope.json()) as EntraErrorBody).error_codes).toEqual([1002012]);
    const other = await emulator.control.createTenant({ users: 5, groups: 0, seed: 607, consentedApps: [] });
    const noConsent = await form(`/${other.tenantId}/oauth2/v2.0/token`, base);
    expect(noConsent.status).toBe(400);
    const body = (await noConsent.json()) as EntraErrorBody;
    expect(body.error_codes).toEqual([7000229]);
    expect(body.trace_id).toBeTruthy();
    expect(body.correlation_id).toBeTruthy();
  });

  describe('admin consent page', () => {
    let fresh: Awaited<ReturnType<RunningEmulator['control']['createTenant']>>;
    beforeAll(async () => {
      fresh = await emulator.control.createTenant({ users: 20, groups: 1, seed: 608, consentedApps: [] });
    });
    const consentUrl = (tenantKey: string) =>
      `/${tenantKey}/v2.0/adminconsent?${new URLSearchParams({ client_id: tenant.app.clientId, scope: 'https://graph.microsoft.com/.default', redirect_uri: redirectUri, state: 'st-42' })}`;

    it('shows the app and the permissions requested', async () => {
      const res = await fetch(`${emulator.url}${consentUrl(fresh.tenantId)}`);
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain('Users Sync');
      for (const p of ['User.Read.All', 'Group.Read.All', 'GroupMember.Read.All', 'Directory.Read.All']) expect(page).toContain(`data-permission="${p}"`);
    });

    it('redirects with error=access_denied when cancelled', async () => {
      const res = await form(consentUrl(fresh.tenantId), { username: fresh.admin!.userPrincipalName, action: 'cancel' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('access_denied');
      expect(location.searchParams.get('error_description')).toMatch(/^AADSTS65004/);
      expect(location.searchParams.get('state')).toBe('st-42');
    });

    it('refuses a non-admin', async () => {
      const someone = (await emulator.control.users(fresh.tenantId, { limit: 5 })).value.find((u) => u.roles.length === 0 && u.accountEnabled)!;
      const res = await form(consentUrl('organizations'), { username: someone.userPrincipalName, action: 'accept' });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Need admin approval');
      await expect(appToken(emulator, fresh.tenantId, tenant.app.clientId, tenant.app.clientSecret)).rejects.toThrow(/AADSTS7000229/);
    });

    it('lets a seeded admin accept, redirecting with admin_consent, tenant, scope and state; the app then reads Graph', async () => {
      const res = await form(consentUrl('organizations'), { username: fresh.admin!.userPrincipalName, action: 'accept' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
      expect(location.searchParams.get('admin_consent')).toBe('True');
      expect(location.searchParams.get('tenant')).toBe(fresh.tenantId);
      expect(location.searchParams.get('state')).toBe('st-42');
      expect(location.searchParams.get('scope')).toContain('https://graph.microsoft.com/User.Read.All');
      const token = await appToken(emulator, fresh.tenantId, tenant.app.clientId, tenant.app.clientSecret);
      expect((await graph(emulator, token, '/organization')).status).toBe(200);
    });
  });

  it('signs a user in with authorize + code + PKCE through msal-node, with tokens for our own API', async () => {
    const msal = new ConfidentialClientApplication({
      auth: { clientId: tenant.app.clientId, clientSecret: tenant.app.clientSecret, authority: `${emulator.url}/${tenant.tenantId}`, knownAuthorities: [new URL(emulator.url).host] },
    });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const apiScope = `api://localhost/${tenant.app.clientId}/access_as_user`;
    const authUrl = await msal.getAuthCodeUrl({ scopes: [apiScope], redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state: 'xyz', nonce: 'n-1' });
    const page = await fetch(authUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign in');
    const url = new URL(authUrl);
    const signedIn = await form(`${url.pathname}`, { ...Object.fromEntries(url.searchParams), username: tenant.admin!.userPrincipalName });
    expect(signedIn.status).toBe(302);
    const back = new URL(signedIn.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('xyz');
    const code = back.searchParams.get('code')!;
    const result = await msal.acquireTokenByCode({ code, redirectUri, scopes: [apiScope], codeVerifier: verifier, nonce: 'n-1', state: 'xyz' }, { code, state: 'xyz' });
    expect(result.account?.username).toBe(tenant.admin!.userPrincipalName);
    const claims = decodeJwt(result.accessToken);
    expect(claims).toMatchObject({
      iss: `${emulator.url}/${tenant.tenantId}/v2.0`,
      aud: `api://localhost/${tenant.app.clientId}`,
      scp: 'access_as_user',
      tid: tenant.tenantId,
      oid: tenant.admin!.id,
      preferred_username: tenant.admin!.userPrincipalName,
      name: 'Tenant Admin',
    });
    expect(decodeJwt(result.idToken)).toMatchObject({ aud: tenant.app.clientId, nonce: 'n-1' });
  });

  it('refuses a code redeemed with the wrong PKCE verifier', async () => {
    const challenge = createHash('sha256').update('right-verifier-right-verifier-right-verifier').digest('base64url');
    const params = { client_id: tenant.app.clientId, response_type: 'code', redirect_uri: redirectUri, scope: 'openid User.Read', code_challenge: challenge, code_challenge_method: 'S256', username: tenant.admin!.userPrincipalName };
    const signedIn = await form(`/${tenant.tenantId}/oauth2/v2.0/authorize`, params);
    const code = new URL(signedIn.headers.get('location')!).searchParams.get('code')!;
    const res = await form(`/${tenant.tenantId}/oauth2/v2.0/token`, { client_id: tenant.app.clientId, grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: 'wrong-verifier-wrong-verifier-wrong-verifier' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as EntraErrorBody).error).toBe('invalid_grant');
  });

  it('mints Teams-SSO-style user tokens through the control API, verifiable like real ones', async () => {
    const { accessToken, issuer } = await emulator.control.token(tenant.tenantId, { user: tenant.admin!.userPrincipalName, audience: `api://localhost/${tenant.app.clientId}`, roles: ['Admin'] });
    const jwks = (await (await fetch(`${emulator.url}/${tenant.tenantId}/discovery/v2.0/keys`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer, audience: `api://localhost/${tenant.app.clientId}` });
    expect(payload).toMatchObject({ scp: 'access_as_user', roles: ['Admin'], tid: tenant.tenantId, oid: tenant.admin!.id });
  });

  it('issues v1.0 tokens for an API whose registration leaves accessTokenAcceptedVersion unset, and v2.0 tokens when it says 2 (access-tokens)', async () => {
    const jwks = (await (await fetch(`${emulator.url}/${tenant.tenantId}/discovery/v2.0/keys`)).json()) as JSONWebKeySet;
    const unset = await emulator.control.registerApp({ displayName: 'Customer registration' });
    const v1 = await emulator.control.token(tenant.tenantId, { user: tenant.admin!.userPrincipalName, clientId: unset.clientId, audience: `api://localhost/${unset.clientId}` });
    expect(v1.issuer).toBe(`https://sts.windows.net/${tenant.tenantId}/`);
    const { payload } = await jwtVerify(v1.accessToken, createLocalJWKSet(jwks), { issuer: v1.issuer, audience: `api://localhost/${unset.clientId}` });
    expect(payload).toMatchObject({ ver: '1.0', appid: unset.clientId, upn: tenant.admin!.userPrincipalName, scp: 'access_as_user', tid: tenant.tenantId });
    expect(payload).not.toHaveProperty('preferred_username');
    const two = await emulator.control.registerApp({ displayName: 'Set to v2', accessTokenAcceptedVersion: 2 });
    const v2 = await emulator.control.token(tenant.tenantId, { user: tenant.admin!.userPrincipalName, clientId: two.clientId, audience: `api://localhost/${two.clientId}` });
    expect(decodeJwt(v2.accessToken)).toMatchObject({ ver: '2.0', iss: `${emulator.url}/${tenant.tenantId}/v2.0` });
  });

  // access-token-claims-reference: `idp` is the issuer unless the person is not of the tenant (a guest), in v1.0 and v2.0 tokens alike.
  it("names a guest's home identity provider (idp) in v1.0 and v2.0 tokens, and a member's in neither", async () => {
    const mixed = await emulator.control.createTenant({ users: 10, groups: 0, seed: 609, guestShare: 0.3, consentedApps: [] });
    const people = (await emulator.control.users(mixed.tenantId, { limit: 20 })).value;
    const guest = people.find((u) => u.userType === 'Guest' && u.accountEnabled)!;
    const member = people.find((u) => u.userType === 'Member' && u.accountEnabled)!;
    const unset = await emulator.control.registerApp({ displayName: 'Customer registration' });
    const two = await emulator.control.registerApp({ displayName: 'Set to v2', accessTokenAcceptedVersion: 2 });
    for (const app of [unset, two]) {
      const forGuest = await emulator.control.token(mixed.tenantId, { user: guest.userPrincipalName, clientId: app.clientId, audience: `api://localhost/${app.clientId}` });
      expect(decodeJwt(forGuest.accessToken).idp).toBe('live.com');
      const forMember = await emulator.control.token(mixed.tenantId, { user: member.userPrincipalName, clientId: app.clientId, audience: `api://localhost/${app.clientId}` });
      expect(decodeJwt(forMember.accessToken)).not.toHaveProperty('idp');
    }
  });

  it('publishes its signing key with the certificate that carries it (x5c), its thumbprint as kid and x5t', async () => {
    const jwks = (await (await fetch(`${emulator.url}/${tenant.tenantId}/discovery/v2.0/keys`)).json()) as { keys: Array<{ kid: string; x5t: string; n: string; x5c: string[] }> };
    const [key] = jwks.keys;
    const certificate = new X509Certificate(Buffer.from(key!.x5c[0]!, 'base64'));
    expect(certificate.publicKey.export({ format: 'jwk' }).n).toBe(key!.n);
    expect(key!.x5t).toBe(Buffer.from(certificate.fingerprint.replace(/:/g, ''), 'hex').toString('base64url'));
    expect(key!.kid).toBe(key!.x5t);
  });
});
