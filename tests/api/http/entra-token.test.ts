import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createEntraTokenVerifier } from '@users-sync/api/http/auth/entra-token';
import { ApiProblem } from '@users-sync/api/http/problem';
import { testCertificateDir } from '../../support/dev-certificate-path';

const tenantId = '4f0a8a3e-2f9c-4d41-9a57-0c1f4a4b1c11';
const audience = 'c0ffee00-1111-4222-8333-444455556666';

/** A stand-in authority: OpenID configuration and JWKS for one tenant, with keys we hold. */
async function startAuthority(issuerFor: (base: string) => string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', use: 'sig', alg: 'RS256' };
  let base = '';
  const server = https.createServer(
    { cert: readFileSync(path.join(testCertificateDir, 'localhost.pem')), key: readFileSync(path.join(testCertificateDir, 'localhost.key.pem')) },
    (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
        res.end(JSON.stringify({ issuer: issuerFor(base), jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys` }));
      } else if (req.url === `/${tenantId}/discovery/v2.0/keys`) {
        res.end(JSON.stringify({ keys: [jwk] }));
      } else {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: 'invalid_tenant', error_description: 'AADSTS90002: Tenant not found.' }));
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, options: { key?: Parameters<SignJWT['sign']>[0]; expiresIn?: string; issuer?: string; audience?: string } = {}) =>
    new SignJWT({ tid: tenantId, oid: 'user-1', name: 'Ann', preferred_username: 'ann@contoso.com', scp: 'access_as_user', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuer(options.issuer ?? `${base}/${tenantId}/v2.0`)
      .setAudience(options.audience ?? audience)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '1h')
      .sign(options.key ?? privateKey);
  return { base, sign, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiProblem)) throw new Error(`expected a problem, got ${String(error)}`);
  return error.code;
}

describe('Entra access tokens for our API', () => {
  let authority: Awaited<ReturnType<typeof startAuthority>>;
  let verify: ReturnType<typeof createEntraTokenVerifier>;
  beforeAll(async () => {
    authority = await startAuthority((base) => `${base}/${tenantId}/v2.0`);
    verify = createEntraTokenVerifier({ authorityHost: authority.base, audiences: [audience, `api://${audience}`], clockToleranceSeconds: 0 });
  });
  afterAll(() => authority.close());

  it('accepts a token signed by the tenant’s key for our audience, and reads who it is', async () => {
    const identity = await verify(await authority.sign({ wids: ['62e90394-69f5-4237-9190-012177145e10'] }));
    expect(identity).toEqual({
      tenantId,
      objectId: 'user-1',
      name: 'Ann',
      email: 'ann@contoso.com',
      scopes: ['access_as_user'],
      directoryRoleIds: ['62e90394-69f5-4237-9190-012177145e10'],
      guest: false,
    });
  });

  // acct (optional claim) is 1 for a guest; idp names the guest's home identity provider (access-token-claims-reference).
  it('knows a guest of the tenant by its acct or idp claim', async () => {
    expect((await verify(await authority.sign({ acct: 1 }))).guest).toBe(true);
    expect((await verify(await authority.sign({ idp: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' }))).guest).toBe(true);
    expect((await verify(await authority.sign({ acct: 0 }))).guest).toBe(false);
  });

  it('knows a guest whichever token version it is, and never takes the tenant naming itself in idp for a guest', async () => {
    const v1 = { issuer: `https://sts.windows.net/${tenantId}/` };
    expect((await verify(await authority.sign({ ver: '1.0', idp: 'live.com' }, v1))).guest).toBe(true);
    expect((await verify(await authority.sign({ ver: '1.0', idp: `https://sts.windows.net/${tenantId}/` }, v1))).guest).toBe(false);
    expect((await verify(await authority.sign({ idp: `https://sts.windows.net/${tenantId}/` }))).guest).toBe(false);
  });

  it('accepts a v1.0 token (issuer https://sts.windows.net/{tenant}/, upn), which a registration without accessTokenAcceptedVersion gets', async () => {
    const v1 = await authority.sign({ preferred_username: undefined, upn: 'ann@contoso.com', unique_name: 'ann@contoso.com', ver: '1.0' }, { issuer: `https://sts.windows.net/${tenantId}/` });
    expect(await verify(v1)).toMatchObject({ tenantId, objectId: 'user-1', email: 'ann@contoso.com', scopes: ['access_as_user'] });
  });

  it('refuses a token whose issuer is not its tenant’s, v1.0 or v2.0, even when signed with the right key', async () => {
    expect(await codeOf(verify(await authority.sign({}, { issuer: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' })))).toBe('TOKEN_WRONG_ISSUER');
    expect(await codeOf(verify(await authority.sign({}, { issuer: `${authority.base}/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0` })))).toBe('TOKEN_WRONG_ISSUER');
  });

  it('refuses a v1.0 token for another audience', async () => {
    expect(await codeOf(verify(await authority.sign({ ver: '1.0' }, { issuer: `https://sts.windows.net/${tenantId}/`, audience: 'https://graph.microsoft.com' })))).toBe('TOKEN_WRONG_AUDIENCE');
  });

  it('refuses a token for another audience', async () => {
    expect(await codeOf(verify(await authority.sign({}, { audience: 'https://graph.microsoft.com' })))).toBe('TOKEN_WRONG_AUDIENCE');
  });

  it('refuses a token signed with a key Entra never published, even with a known key id', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expect(await codeOf(verify(await authority.sign({}, { key: privateKey })))).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it('refuses an app-only token and a token without our delegated scope', async () => {
    expect(await codeOf(verify(await authority.sign({ scp: undefined, idtyp: 'app', roles: ['Directory.Read.All'] })))).toBe('TOKEN_SCOPE_MISSING');
    expect(await codeOf(verify(await authority.sign({ scp: '' })))).toBe('TOKEN_SCOPE_MISSING');
    expect(await codeOf(verify(await authority.sign({ scp: 'User.Read' })))).toBe('TOKEN_SCOPE_MISSING');
  });

  it('refuses an expired token', async () => {
    expect(await codeOf(verify(await authority.sign({}, { expiresIn: '-1m' })))).toBe('TOKEN_EXPIRED');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ tid: tenantId, oid: 'x', aud: audience, iss: `${authority.base}/${tenantId}/v2.0`, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    expect(await codeOf(verify(`${header}.${payload}.`))).toBe('TOKEN_INVALID');
  });

  it('refuses a tenant whose OpenID configuration names another issuer', async () => {
    const lying = await startAuthority(() => 'https://login.example.com/someone-else/v2.0');
    try {
      const strict = createEntraTokenVerifier({ authorityHost: lying.base, audiences: [audience] });
      expect(await codeOf(strict(await lying.sign({})))).toBe('TOKEN_WRONG_ISSUER');
    } finally {
      await lying.close();
    }
  });

  it('says Entra is unreachable rather than blaming the person when keys cannot be read', async () => {
    const offline = createEntraTokenVerifier({ authorityHost: 'https://localhost:1', audiences: [audience] });
    const error = await offline(await authority.sign({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect((error as ApiProblem).status).toBe(503);
    expect((error as ApiProblem).code).toBe('ENTRA_KEYS_UNAVAILABLE');
  });
});
