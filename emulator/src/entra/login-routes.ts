import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { bodyForm, type EmulatorRequest } from '../http/request';
import { json, type Reply } from '../http/reply';
import type { Router } from '../http/router';
import { GRAPH_RESOURCE, type Cloud } from '../tenants/cloud';
import type { Tenant } from '../tenants/tenant';
import { entraError, tenantNotFound } from './login-errors';
import { resolveScopes } from './scopes';
import type { SignInState } from './sign-in-state';
import type { SigningKeys } from './signing-keys';
import { accessTokenLifetimeSeconds, clientInfo, type TokenIssuer } from './token-issuer';

export interface LoginContext {
  cloud: Cloud;
  keys: SigningKeys;
  issuer: TokenIssuer;
  signIn: SignInState;
  base: () => string;
}

const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/** Entra's openid-configuration for one tenant (or a multi-tenant alias with `{tenantid}` in the issuer). */
export function openIdConfiguration(base: string, tenantSegment: string, tenantId: string | null) {
  const authority = `${base}/${tenantSegment}`;
  return {
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${tenantId ?? tenantSegment}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${tenantId ?? '{tenantid}'}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    kerberos_endpoint: `${authority}/kerberos`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

const tokenRequest = z.object({
  grant_type: z.string().min(1),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional(),
  refresh_token: z.string().optional(),
  assertion: z.string().optional(),
  requested_token_use: z.string().optional(),
});
type TokenRequest = z.output<typeof tokenRequest>;

export function addLoginRoutes(router: Router, context: LoginContext): void {
  const { cloud, keys } = context;

  const discovery = (request: EmulatorRequest): Reply => {
    const segment = request.params.tenant!;
    if (MULTI_TENANT.has(segment.toLowerCase())) return json(200, openIdConfiguration(context.base(), segment, null), cors());
    const tenant = cloud.tenant(segment);
    if (!tenant) return tenantNotFound(segment);
    return json(200, openIdConfiguration(context.base(), tenant.id, tenant.id), cors());
  };
  router.get('/{tenant}/v2.0/.well-known/openid-configuration', discovery);
  router.get('/{tenant}/.well-known/openid-configuration', discovery);

  const jwks = (request: EmulatorRequest): Reply => {
    const segment = request.params.tenant;
    if (segment && !MULTI_TENANT.has(segment.toLowerCase()) && !cloud.tenant(segment)) return tenantNotFound(segment);
    return json(200, { keys: [{ ...keys.jwk, issuer: segment && cloud.tenant(segment) ? context.issuer.issuer(cloud.tenant(segment)!.id) : undefined }] }, cors());
  };
  router.get('/{tenant}/discovery/v2.0/keys', jwks);
  router.get('/{tenant}/discovery/keys', jwks);
  router.get('/discovery/v2.0/keys', jwks);
  router.get('/discovery/keys', jwks);

  // MSAL's instance discovery; answered for completeness (MSAL skips it with knownAuthorities).
  router.get('/common/discovery/instance', (request) => {
    const host = new URL(context.base()).host;
    const authorizationEndpoint = request.url.searchParams.get('authorization_endpoint') ?? `${context.base()}/common/oauth2/v2.0/authorize`;
    return json(200, {
      tenant_discovery_endpoint: authorizationEndpoint.replace(/oauth2\/v2\.0\/authorize$/, 'v2.0/.well-known/openid-configuration'),
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    }, cors());
  });

  router.post('/{tenant}/oauth2/v2.0/token', async (request) => {
    const segment = request.params.tenant!;
    const parsed = tokenRequest.safeParse(bodyForm(request));
    if (!parsed.success) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    const form = parsed.data;
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      form.client_id ??= decodeURIComponent(id ?? '');
      form.client_secret ??= decodeURIComponent(secret ?? '');
    }
    const reply = await token(segment, form);
    return { ...reply, headers: { ...reply.headers, ...cors(), 'cache-control': 'no-store, no-cache', pragma: 'no-cache' } };
  });

  async function token(segment: string, form: TokenRequest): Promise<Reply> {
    const multi = MULTI_TENANT.has(segment.toLowerCase());
    const pathTenant = multi ? undefined : cloud.tenant(segment);
    if (!multi && !pathTenant) return tenantNotFound(segment);
    if (!form.client_id) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const app = cloud.app(form.client_id);
    if (!app)
      return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${form.client_id}' was not found in the directory '${pathTenant?.displayName ?? segment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    if (form.client_secret !== undefined && !app.secrets.some((s) => safeEqual(s, form.client_secret!)))
      return entraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`);

    switch (form.grant_type) {
      case 'client_credentials': {
        if (multi || !pathTenant) return entraError(400, 'invalid_request', 900023, `Specified tenant identifier '${segment}' is neither a valid DNS name, nor a valid external domain. Use a tenant-specific endpoint for client credentials.`);
        if (form.client_secret === undefined) return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        const scope = form.scope ?? '';
        if (!/\/\.default$/.test(scope.trim()))
          return entraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
        if (!scope.trim().toLowerCase().startsWith(GRAPH_RESOURCE) && !scope.trim().startsWith('00000003-0000-0000-c000-000000000000'))
          return entraError(400, 'invalid_resource', 500011, `The resource principal named ${scope.replace(/\/\.default$/, '')} was not found in the tenant named ${pathTenant.displayName}.`);
        const grant = cloud.consent(pathTenant.id, app.clientId);
        if (!grant)
          return entraError(400, 'invalid_client', 7000229, `The client application ${app.clientId} is missing service principal in the tenant ${pathTenant.id}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`);
        const lifetime = accessTokenLifetimeSeconds();
        const accessToken = await context.issuer.appToken(pathTenant, app, grant, lifetime);
        return json(200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
      }
      case 'authorization_code': {
        const code = form.code ? context.signIn.redeemCode(form.code) : undefined;
        if (!code || code.clientId !== app.clientId || (pathTenant && pathTenant.id !== code.tenantId))
          return entraError(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
        if (form.redirect_uri !== undefined && form.redirect_uri !== code.redirectUri)
          return entraError(400, 'invalid_grant', 50148, 'The redirect_uri specified in the token request does not match the one used in the authorization request.');
        if (code.codeChallenge) {
          const verifier = form.code_verifier ?? '';
          const computed = code.codeChallengeMethod === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
          if (!verifier || computed !== code.codeChallenge) return entraError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
        }
        return userTokens(code.tenantId, code.userId, app.clientId, form.scope ?? code.scope, code.nonce);
      }
      case 'refresh_token': {
        const grant = form.refresh_token ? context.signIn.refreshGrant(form.refresh_token) : undefined;
        if (!grant || grant.clientId !== app.clientId) return entraError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
        return userTokens(grant.tenantId, grant.userId, app.clientId, form.scope ?? grant.scope);
      }
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer': {
        // On-behalf-of: our API trades a user's token for a Graph (or other API) token.
        if (form.client_secret === undefined) return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        let claims: Record<string, unknown>;
        try {
          claims = (await keys.verify(form.assertion ?? '')) as Record<string, unknown>;
        } catch {
          return entraError(400, 'invalid_grant', 50013, 'Assertion failed signature validation or is expired.');
        }
        const audienceOk = claims.aud === app.clientId || app.identifierUris.includes(String(claims.aud));
        if (!audienceOk) return entraError(400, 'invalid_grant', 50013, 'Assertion audience does not match the Client app presenting the assertion.');
        return userTokens(String(claims.tid), String(claims.oid), app.clientId, form.scope ?? 'User.Read');
      }
      default:
        return entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type}'.`);
    }
  }

  async function userTokens(tenantId: string, userId: string, clientId: string, scope: string, nonce?: string): Promise<Reply> {
    const tenant: Tenant | undefined = cloud.tenant(tenantId);
    const user = tenant?.activeUser(userId);
    if (!tenant || !user) return entraError(400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
    if (!user.accountEnabled) return entraError(400, 'invalid_grant', 50057, 'The user account is disabled.');
    const resolution = resolveScopes(cloud, scope);
    if (!resolution.ok) return entraError(400, resolution.error, resolution.aadsts, resolution.description);
    const lifetime = accessTokenLifetimeSeconds();
    const version = resolution.resource === 'api' && cloud.app(resolution.clientId)?.accessTokenAcceptedVersion !== 2 ? 1 : 2;
    const accessToken = await context.issuer.userToken({ tenant, user, clientId, audience: resolution.audience, scopes: resolution.scopes, lifetimeSeconds: lifetime, version });
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: [...resolution.scopes.map((s) => (resolution.resource === 'graph' ? `https://graph.microsoft.com/${s}` : `${resolution.audience}/${s}`)), ...resolution.oidc].join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      client_info: clientInfo(user, tenant),
    };
    if (resolution.oidc.includes('openid') || resolution.oidc.length === 0) body.id_token = await context.issuer.idToken({ tenant, user, clientId, nonce, email: resolution.oidc.includes('email') });
    if (resolution.oidc.includes('offline_access')) {
      body.refresh_token = context.signIn.issueRefreshToken({ tenantId, userId: user.id, clientId, scope });
      body.refresh_token_expires_in = 86_399;
    }
    return json(200, body);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Browsers (msal-browser in the tab) call discovery and the token endpoint cross-origin. */
export function cors(): Record<string, string> {
  return { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS' };
}
