import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { ApiProblem } from '../api-problem';
import { createTenantDiscoveryCache, type TenantDiscoveryCacheSettings } from './tenant-discovery-cache';

/** The claims we rely on, checked after the signature is. */
const entraClaimsSchema = z.object({
  tid: z.string().min(1),
  oid: z.string().min(1),
  name: z.string().optional(),
  preferred_username: z.string().optional(),
  upn: z.string().optional(),
  email: z.string().optional(),
  scp: z.string().optional(),
  roles: z.array(z.string()).optional(),
  /** `app` on app-only tokens, which no person stands behind. */
  idtyp: z.string().optional(),
  /** Directory role template ids the person holds (Entra adds them when the app asks for them). */
  wids: z.array(z.string()).optional(),
  /** Optional claim: 1 for a guest of the tenant, 0 for a member. */
  acct: z.number().optional(),
  /** The identity provider, present when it is not the tenant itself (a guest from elsewhere). */
  idp: z.string().optional(),
  iss: z.string().optional(),
});

export interface EntraIdentity {
  tenantId: string;
  objectId: string;
  name: string;
  email: string;
  scopes: string[];
  directoryRoleIds: string[];
  /**
   * A guest of the tenant: `acct` is 1, or `idp` names another identity provider than the
   * issuer (learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
   */
  guest: boolean;
}

export interface EntraTokenVerifierSettings {
  /** `https://login.microsoftonline.com`, or the emulator's base: the same code checks both. */
  authorityHost: string;
  /** Our API's audiences: the app's client id and its Application ID URI. */
  audiences: string[];
  /** Seconds of clock difference tolerated on `exp`/`nbf`. */
  clockToleranceSeconds?: number;
  /** How many tenants' keys are remembered, and for how long failed discoveries are. */
  tenantCache?: TenantDiscoveryCacheSettings;
}

/** Checks a token; `tenants` says what the verifier remembers of the tenants it met (its bounds are tested). */
export type EntraTokenVerifier = ((token: string) => Promise<EntraIdentity>) & { tenants: () => { known: number; failed: number; discoveries: number } };

/** The delegated scope our API exposes; Teams SSO asks for it, as MSAL does outside Teams. */
export const API_SCOPE = 'access_as_user';

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Verifies Entra access tokens for our API (Teams SSO or MSAL): RS256 signature against
 * the issuing tenant's JWKS (fetched, cached and refreshed by jose on an unknown `kid`,
 * which is how key rotation is followed), the v2.0 or v1.0 issuer of that tenant, our audience and
 * the expiry. The tenant is read from the unverified token only to know which keys to
 * fetch; nothing is trusted before the signature and issuer check pass.
 */
export function createEntraTokenVerifier(settings: EntraTokenVerifierSettings): EntraTokenVerifier {
  const tenants = createTenantDiscoveryCache((tenantId) => discoverTenant(settings.authorityHost, tenantId), settings.tenantCache);
  const signingFor = (tenantId: string): Promise<TenantSigning> => tenants.get(tenantId);

  async function verify(token: string): Promise<EntraIdentity> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new ApiProblem(401, 'TOKEN_MALFORMED', 'The access token is not a JWT. Sign in again.');
    }
    const tenantId = typeof unverified.tid === 'string' ? unverified.tid : '';
    if (!TENANT_ID.test(tenantId)) {
      throw new ApiProblem(401, 'TOKEN_INVALID', 'The access token names no Entra tenant. Sign in again with a work account.');
    }
    let payload: JWTPayload;
    let signing: TenantSigning;
    try {
      signing = await signingFor(tenantId.toLowerCase());
      ({ payload } = await jwtVerify(token, signing.keys, {
        // v2.0 tokens carry the tenant's v2.0 issuer; an API registration that leaves
        // accessTokenAcceptedVersion unset gets v1.0 tokens, issued by Entra's STS for the same
        // tenant and signed with the same keys (https://learn.microsoft.com/entra/identity-platform/access-tokens).
        issuer: [signing.issuer, `https://sts.windows.net/${tenantId.toLowerCase()}/`],
        audience: settings.audiences,
        algorithms: ['RS256'],
        clockTolerance: settings.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      throw toProblem(error);
    }
    const claims = entraClaimsSchema.safeParse(payload);
    if (!claims.success) throw new ApiProblem(401, 'TOKEN_INVALID', 'The access token lacks the tenant or user id. Sign in again.');
    // Only a person signed in to Users Sync may call it: not an app acting alone, nor a token for another scope.
    const scopes = claims.data.scp?.split(' ').filter(Boolean) ?? [];
    if (claims.data.idtyp === 'app' || !scopes.includes(API_SCOPE)) {
      throw new ApiProblem(403, 'TOKEN_SCOPE_MISSING', `The access token was not issued to a signed-in person for the "${API_SCOPE}" scope of Users Sync. Sign in to Users Sync again.`);
    }
    const email = claims.data.preferred_username ?? claims.data.upn ?? claims.data.email ?? '';
    // `idp` naming the tenant itself, in its v1.0 or v2.0 issuer form, is a member's sign-in, whichever version the token is.
    const ownIssuers = [signing.issuer.toLowerCase(), `https://sts.windows.net/${tenantId.toLowerCase()}/`];
    return {
      tenantId: claims.data.tid.toLowerCase(),
      objectId: claims.data.oid,
      name: claims.data.name ?? email,
      email,
      scopes,
      directoryRoleIds: claims.data.wids ?? [],
      guest: claims.data.acct === 1 || (claims.data.idp !== undefined && !ownIssuers.includes(claims.data.idp.toLowerCase())),
    };
  }
  return Object.assign(verify, { tenants: () => tenants.stats() });
}

interface TenantSigning {
  issuer: string;
  keys: ReturnType<typeof createRemoteJWKSet>;
}

const openIdConfigurationSchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

/** The tenant's issuer and signing keys, from its OpenID configuration (as Entra publishes it). */
async function discoverTenant(authorityHost: string, tenantId: string): Promise<TenantSigning> {
  const url = `${authorityHost}/${tenantId}/v2.0/.well-known/openid-configuration`;
  let response: globalThis.Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new ApiProblem(503, 'ENTRA_KEYS_UNAVAILABLE', 'Microsoft Entra ID could not be reached to check your sign-in. Try again in a minute.');
  }
  if (response.status === 400 || response.status === 404) {
    throw new ApiProblem(401, 'TOKEN_UNKNOWN_TENANT', 'The access token names a tenant Microsoft Entra ID does not know. Sign in again.');
  }
  const parsed = openIdConfigurationSchema.safeParse(response.ok ? await response.json() : undefined);
  if (!parsed.success) {
    throw new ApiProblem(503, 'ENTRA_KEYS_UNAVAILABLE', 'Microsoft Entra ID answered oddly while we checked your sign-in. Try again in a minute.');
  }
  const expectedIssuer = `${authorityHost}/${tenantId}/v2.0`;
  if (parsed.data.issuer.toLowerCase() !== expectedIssuer.toLowerCase()) {
    throw new ApiProblem(401, 'TOKEN_WRONG_ISSUER', 'The tenant in the access token does not match its issuer. Sign in again.');
  }
  const keys = createRemoteJWKSet(new URL(parsed.data.jwks_uri), { cooldownDuration: 30_000, cacheMaxAge: 24 * 60 * 60 * 1000 });
  return { issuer: parsed.data.issuer, keys };
}

function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof joseErrors.JWTExpired) return new ApiProblem(401, 'TOKEN_EXPIRED', 'Your sign-in has expired. Reload the tab to sign in again.');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return new ApiProblem(401, 'TOKEN_WRONG_AUDIENCE', 'The access token was issued for another application. Sign in to Users Sync again.');
    if (error.claim === 'iss') return new ApiProblem(401, 'TOKEN_WRONG_ISSUER', 'The access token was not issued by Microsoft Entra ID for its tenant. Sign in again.');
    return new ApiProblem(401, 'TOKEN_INVALID', `The access token's "${error.claim}" claim is not valid. Sign in again.`);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return new ApiProblem(401, 'TOKEN_SIGNATURE_INVALID', 'The access token signature does not match Microsoft Entra ID keys. Sign in again.');
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) {
    return new ApiProblem(401, 'TOKEN_INVALID', 'The access token is not a valid Entra token. Sign in again.');
  }
  if (error instanceof joseErrors.JWKSTimeout || (error instanceof Error && /fetch|ECONN|ENOTFOUND|certificate/i.test(error.message))) {
    return new ApiProblem(503, 'ENTRA_KEYS_UNAVAILABLE', 'Microsoft Entra ID signing keys could not be read right now. Try again in a minute.');
  }
  return new ApiProblem(401, 'TOKEN_INVALID', 'The access token could not be verified. Sign in again.');
}
