import { createHash } from 'node:crypto';
import { AuthError, ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import type { Logger } from '../service/logger';
import { GraphAuthenticationError, type GraphAuthenticationReason } from './graph-reader';

/** The app's credentials for one customer tenant. */
export interface TenantCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** `https://login.microsoftonline.com`, or the emulator's base such as `https://localhost:4000`. */
  authorityHost: string;
}

/** App-only tokens for Microsoft Graph in one tenant. */
export interface AppTokenSource {
  /**
   * A bearer token for Graph. `fresh` skips MSAL's cache: used once after Graph refused a
   * token (401), e.g. because it was revoked before it expired.
   */
  appToken(options?: { fresh?: boolean }): Promise<string>;
}

export interface TenantTokenOptions {
  /** The resource's `.default` scope; defaults from the Graph base URL (see graphScope). */
  scope?: string;
  /** How long to wait for Entra's answer (default 30 s); a timeout is "unreachable", which callers retry. */
  timeoutMs?: number;
  logger?: Logger;
}

/** Sovereign clouds' Graph hosts, whose tokens are asked for with their own resource URI. */
const microsoftGraphHosts = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/**
 * The scope for app tokens: `{graph}/.default` for Microsoft's clouds; anything else (the
 * emulator) stands in for the public cloud's Graph, so it gets that scope.
 */
export function graphScope(graphBaseUrl: string): string {
  const url = new URL(graphBaseUrl);
  return microsoftGraphHosts.has(url.host) ? `${url.origin}/.default` : 'https://graph.microsoft.com/.default';
}

/**
 * MSAL settings that work the same against Entra and the emulator:
 * - `authority` is `{host}/{tenant}`;
 * - `knownAuthorities: [host]` makes MSAL trust the host without asking Microsoft's
 *   instance-discovery endpoint (which knows nothing about `localhost:4000`);
 * - `authorityMetadata` gives the tenant's endpoints up front, so no OpenID discovery
 *   round trip happens either: the only request MSAL makes is the token POST, and an
 *   unknown tenant is reported by the token endpoint as AADSTS90002 like any other error.
 * Requests go through MSAL's default network client, which calls the global `fetch`:
 * NODE_EXTRA_CA_CERTS in real processes, the jest setup's trusting fetch in tests.
 */
export function msalConfiguration(credentials: TenantCredentials, logger?: Logger): Configuration {
  const host = authorityHostUrl(credentials.authorityHost);
  const tenant = credentials.tenantId;
  const authority = `${host.origin}/${tenant}`;
  return {
    auth: {
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      authority,
      knownAuthorities: [host.host],
      authorityMetadata: JSON.stringify({
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        jwks_uri: `${host.origin}/${tenant}/discovery/v2.0/keys`,
        issuer: `${authority}/v2.0`,
      }),
    },
    system: {
      loggerOptions: {
        // MSAL's own lines at debug level, never with personal data or tokens.
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message) => logger?.debug({ tenantId: tenant }, `msal: ${message}`),
      },
    },
  };
}

function authorityHostUrl(authorityHost: string): URL {
  const url = new URL(authorityHost);
  if (url.protocol !== 'https:') {
    throw new GraphAuthenticationError('InvalidAuthorityHost', `MICROSOFT_AUTHORITY_HOST must be an https:// URL (got ${authorityHost}).`, 'bad_credentials');
  }
  return url;
}

/** A tenant is a GUID or a verified domain: nothing that could change the authority's path. */
const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

// One MSAL application (and so one token cache) per authority, tenant, app and secret:
// readers created for the same tenant share tokens; a rotated secret gets a new cache.
const applications = new Map<string, ConfidentialClientApplication>();

/**
 * The token each application last handed out, reused until five minutes before it expires
 * (MSAL's own renewal margin): asking MSAL's cache on every Graph request cost about a
 * millisecond of CPU a request — a second for a 100,000-user sync. Held with the application,
 * so forgetting a tenant's application forgets its token too.
 */
const heldTokens = new WeakMap<ConfidentialClientApplication, { scope: string; accessToken: string; renewAt: number }>();
const tokenRenewalMs = 5 * 60_000;

function applicationFor(credentials: TenantCredentials, logger?: Logger): ConfidentialClientApplication {
  const secretDigest = createHash('sha256').update(credentials.clientSecret).digest('base64url').slice(0, 16);
  const key = [credentials.authorityHost, credentials.tenantId.toLowerCase(), credentials.clientId, secretDigest].join('|');
  let application = applications.get(key);
  if (!application) {
    application = new ConfidentialClientApplication(msalConfiguration(credentials, logger));
    applications.set(key, application);
  }
  return application;
}

/**
 * Drops the app tokens cached for a tenant. An app token carries the application
 * permissions granted when it was issued (its `roles`), so one taken before an admin
 * consent — or while consent was revoked — keeps being refused until it expires; after a
 * new consent the next token must come from Entra.
 */
export function forgetTenantTokens(tenantId: string): void {
  const wanted = tenantId.toLowerCase();
  for (const key of [...applications.keys()]) if (key.split('|')[1] === wanted) applications.delete(key);
}

/** Client-credentials tokens for one tenant, through a cached MSAL confidential client. */
export function tenantTokenSource(credentials: TenantCredentials, options: TenantTokenOptions = {}): AppTokenSource {
  if (!tenantPattern.test(credentials.tenantId)) {
    throw new GraphAuthenticationError('InvalidTenant', `"${credentials.tenantId}" is not a tenant id or domain: expected a GUID or a domain such as contoso.onmicrosoft.com.`, 'unknown_tenant');
  }
  const scope = options.scope ?? 'https://graph.microsoft.com/.default';
  const application = applicationFor(credentials, options.logger);
  let pending: Promise<string> | undefined;

  const timeoutMs = options.timeoutMs ?? 30_000;
  const acquire = async (fresh: boolean): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    // MSAL's POST has no timeout of its own: a token endpoint that never answers must not hang the sync.
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new GraphAuthenticationError('EntraTimeout', `Microsoft Entra at ${credentials.authorityHost} did not answer the token request for tenant ${credentials.tenantId} within ${timeoutMs} ms.`, 'unreachable')),
        timeoutMs,
      );
    });
    try {
      const result = await Promise.race([application.acquireTokenByClientCredential({ scopes: [scope], skipCache: fresh }), timedOut]);
      if (!result?.accessToken) throw new GraphAuthenticationError('NoToken', `Microsoft Entra answered without a token for tenant ${credentials.tenantId}.`);
      const renewAt = (result.expiresOn?.getTime() ?? 0) - tokenRenewalMs;
      // A token asked for afresh (after a 401) replaces the held one; otherwise the one that lasts longer stays, whichever answer came last.
      const held = heldTokens.get(application);
      if (fresh || !held || held.scope !== scope || renewAt >= held.renewAt) heldTokens.set(application, { scope, accessToken: result.accessToken, renewAt });
      return result.accessToken;
    } catch (error) {
      throw authenticationFailure(error, credentials);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    appToken({ fresh = false } = {}) {
      if (fresh) return acquire(true);
      const held = heldTokens.get(application);
      if (held && held.scope === scope && Date.now() < held.renewAt) return Promise.resolve(held.accessToken);
      // Concurrent first requests share one token request instead of racing MSAL's cache.
      pending ??= acquire(false).finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

/** The AADSTS number in an MSAL error: `errorNo` when Entra sent `error_codes`, else from the text. */
function aadstsNumber(error: AuthError): string | undefined {
  const errorNo = (error as { errorNo?: unknown }).errorNo;
  if ((typeof errorNo === 'string' || typeof errorNo === 'number') && String(errorNo) !== '') return String(errorNo);
  return /AADSTS(\d+)/.exec(`${error.errorMessage} ${error.message}`)?.[1];
}

/** Turns what MSAL threw into an error that says who must do what. */
export function authenticationFailure(error: unknown, credentials: TenantCredentials): GraphAuthenticationError {
  if (error instanceof GraphAuthenticationError) return error;
  const tenant = credentials.tenantId;
  const reconnect = 'ask a Global Administrator (or Privileged Role / Cloud Application Administrator) of that tenant to connect Microsoft 365 again';
  if (!(error instanceof AuthError)) {
    const text = error instanceof Error ? error.message : String(error);
    return new GraphAuthenticationError('TokenRequestFailed', `Could not get a Microsoft Graph token for tenant ${tenant}: ${text}`);
  }
  const number = aadstsNumber(error);
  const code = number ? `AADSTS${number}` : error.errorCode || 'TokenRequestFailed';
  const fail = (reason: GraphAuthenticationReason, message: string) => new GraphAuthenticationError(code, message, reason);
  switch (number) {
    case '7000215':
    case '7000222':
    case '7000216':
      return fail(
        'bad_credentials',
        `Microsoft Entra rejected the client secret of app ${credentials.clientId} when connecting to tenant ${tenant} (${code}: ${number === '7000222' ? 'the secret has expired' : 'invalid secret'}). ` +
          'Create a new client secret for the app registration and set MICROSOFT_CLIENT_SECRET to its Value (not its Secret ID).',
      );
    case '700016':
      return fail(
        'consent_missing',
        `App ${credentials.clientId} is not known in tenant ${tenant} (${code}): admin consent has not been granted there, or was removed. ` +
          `To connect this organization, ${reconnect}. If this happens for every tenant, check MICROSOFT_CLIENT_ID.`,
      );
    case '65001':
    case '7000229':
    case '500011':
      return fail('consent_missing', `Admin consent has not been granted in tenant ${tenant} (${code}): ${reconnect}.`);
    case '90002':
    case '90023':
      return fail('unknown_tenant', `Tenant ${tenant} was not found in Microsoft Entra ID (${code}): check the tenant id or domain this organization was connected with, and connect Microsoft 365 again if it changed.`);
    case '7000112':
      return fail('consent_missing', `App ${credentials.clientId} is disabled in tenant ${tenant} (${code}): an administrator of that tenant must enable the Users Sync enterprise application, then connect Microsoft 365 again.`);
    default:
      break;
  }
  if (error.errorCode === 'network_error' || /network|timeout/i.test(error.errorCode)) {
    return fail(
      'unreachable',
      `Could not reach Microsoft Entra at ${credentials.authorityHost} for tenant ${tenant}: ${error.errorMessage || error.message}. ` +
        'Check MICROSOFT_AUTHORITY_HOST and the network (for the emulator: that it runs and its development CA is trusted).',
    );
  }
  if (error.errorCode === 'invalid_client' || error.errorCode === 'unauthorized_client') {
    return fail('bad_credentials', `Microsoft Entra refused app ${credentials.clientId} for tenant ${tenant} (${code}): check MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET.`);
  }
  return fail('other', `Microsoft Entra refused a Graph token for tenant ${tenant} (${code}): ${firstLine(error.errorMessage || error.message)}`);
}

/** Entra's description without the trace and correlation ids MSAL appends. */
function firstLine(text: string): string {
  const description = /Description: (.*?)(?: - Correlation ID:|$)/s.exec(text)?.[1] ?? text;
  return description.split(/\r?\n/)[0]!.trim();
}
