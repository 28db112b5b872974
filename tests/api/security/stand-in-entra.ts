import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

type SigningKey = Parameters<SignJWT['sign']>[0];
import { testCertificateDir } from '../../support/dev-certificate-path';

/** The delegated scope of our API, and the role template id of Entra's Cloud Application Administrator. */
export const API_SCOPE = 'access_as_user';
export const CLOUD_APPLICATION_ADMINISTRATOR = '158c047a-c907-4556-b7ef-446551a6b5f7';

interface TenantKeys {
  privateKey: SigningKey;
  jwk: JWK;
}

export interface SignOptions {
  /** The tenant whose key signs (default: the token's own tenant). */
  signedBy?: string;
  /** Another key than any tenant publishes (a forger's). */
  key?: SigningKey;
  issuer?: string;
  audience?: string;
  expiresIn?: string;
}

/**
 * A stand-in for Entra's endpoints the api's token check uses (OpenID discovery and keys),
 * for tenants whose keys the test holds: so a test can sign any token a forger, another
 * tenant or an app would send. Unknown tenants are answered as Entra does (400,
 * AADSTS90002), and each tenant's discoveries are counted.
 */
export async function startStandInEntra(tenantIds: string[]) {
  const keys = new Map<string, TenantKeys>();
  for (const [index, tenantId] of tenantIds.entries()) {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    keys.set(tenantId, { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: `key-${index}`, use: 'sig', alg: 'RS256' } });
  }
  const discoveries = new Map<string, number>();
  let base = '';
  const server = https.createServer({ cert: readFileSync(path.join(testCertificateDir, 'localhost.pem')), key: readFileSync(path.join(testCertificateDir, 'localhost.key.pem')) }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(req.url ?? '');
    const jwks = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(req.url ?? '');
    if (discovery) discoveries.set(discovery[1]!, (discoveries.get(discovery[1]!) ?? 0) + 1);
    const known = keys.get((discovery ?? jwks)?.[1] ?? '');
    if (discovery && known) {
      res.end(JSON.stringify({ issuer: `${base}/${discovery[1]}/v2.0`, jwks_uri: `${base}/${discovery[1]}/discovery/v2.0/keys` }));
    } else if (jwks && known) {
      res.end(JSON.stringify({ keys: [known.jwk] }));
    } else {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: 'invalid_tenant', error_description: 'AADSTS90002: Tenant not found.' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://localhost:${(server.address() as AddressInfo).port}`;

  return {
    base,
    issuerOf: (tenantId: string) => `${base}/${tenantId}/v2.0`,
    /** How many times the api asked for this tenant's OpenID configuration. */
    discoveriesOf: (tenantId: string) => discoveries.get(tenantId) ?? 0,
    /** Discoveries of tenant ids (the token check's), not of domains (the email-provider detection's). */
    discoveriesTotal: () => [...discoveries.entries()].filter(([key]) => /^[0-9a-f-]{36}$/i.test(key)).reduce((sum, [, count]) => sum + count, 0),
    /** A token with these claims, signed as `options` says (by default: a valid one of `claims.tid`'s tenant). */
    sign(claims: Record<string, unknown> & { tid: string }, audience: string, options: SignOptions = {}): Promise<string> {
      const signer = keys.get(options.signedBy ?? claims.tid) ?? keys.values().next().value!;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: signer.jwk.kid! })
        .setIssuer(options.issuer ?? `${base}/${claims.tid}/v2.0`)
        .setAudience(options.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(options.key ?? signer.privateKey);
    },
    /** A person's delegated token for our API, as Teams SSO hands it to the tab. */
    person(tenantId: string, objectId: string, email: string, extra: Record<string, unknown> = {}) {
      return { tid: tenantId, oid: objectId, name: email.split('@')[0], preferred_username: email, scp: API_SCOPE, ...extra };
    },
    newObjectId: () => randomUUID(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type StandInEntra = Awaited<ReturnType<typeof startStandInEntra>>;
