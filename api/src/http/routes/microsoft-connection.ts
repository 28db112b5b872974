import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { requestedPermissions, type MicrosoftConnection } from '../../contract';
import { forgetTenantTokens, GraphAuthenticationError, GraphError } from '../../graph';
import { requestLogger } from '../../service';
import { ApiProblem } from '../problem';
import { connectionStatusOf } from '../representations/connection-status';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';
import { requireMicrosoftApp } from './connected-tenant';

const organizationSchema = z.object({ value: z.array(z.object({ id: z.string(), displayName: z.string().nullish() })).min(1) });
const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export function serveMicrosoftConnection(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { store } = services;

  serveRoute(server, 'connection', authenticate, async ({ principal }): Promise<MicrosoftConnection> => {
    const connection = await store.connections.get(principal.organizationId);
    const status = connectionStatusOf(connection?.consentState);
    return {
      status,
      tenantId: connection?.tenantId ?? null,
      tenantName: status === 'not_connected' ? null : ((await store.members.tenantName(principal.organizationId)) ?? null),
      connectedAt: connection?.consentedAt ?? null,
      permissions: [...requestedPermissions],
    };
  });

  // "Connect to Microsoft 365": Entra's admin-consent page for the signed-in person's tenant.
  serveRoute(server, 'startConsent', authenticate, async ({ principal }) => {
    const { clientId } = requireMicrosoftApp(services);
    // From an onboarding console: the Microsoft admin signed in to it, for the organization's tenant.
    const tenantId = principal.kind === 'onboarding_console' ? await services.onboardingLinks.consentTenant(principal) : principal.tenantId;
    const { state, expiresAt } = await services.consentStates.issue(principal.organizationId, principal.kind === 'onboarding_console' ? { onboardingLinkId: principal.linkId } : {});
    const url = new URL(`${services.config.microsoft.authorityHost}/${tenantId}/v2.0/adminconsent`);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('scope', GRAPH_DEFAULT_SCOPE);
    url.searchParams.set('redirect_uri', consentRedirectUri(services));
    url.searchParams.set('state', state);
    return { consentUrl: url.toString(), expiresAt: expiresAt.toISOString() };
  });

  serveRoute(server, 'consentCallback', authenticate, async ({ req, res, query }) => {
    let origin: 'tab' | 'onboarding' = 'tab';
    const outcome = await completeConsent(services, req, query, (from) => (origin = from)).catch((error: unknown) => {
      if (error instanceof ApiProblem) return { outcome: 'failed' as const, code: error.code, message: error.detail };
      requestLogger(req).error({ err: error }, 'consent callback failed');
      return { outcome: 'failed' as const, code: 'INTERNAL_ERROR', message: 'Something went wrong while connecting Microsoft 365. Try "Connect to Microsoft 365" again.' };
    });
    redirectToTab(res, services, outcome, origin);
  });

  serveRoute(server, 'disconnect', authenticate, async ({ principal }) => {
    const connection = await store.connections.get(principal.organizationId);
    if (connection) await store.connections.save(principal.organizationId, connection.tenantId, 'pending');
    await services.changeNotifications.ensure(principal.organizationId);
  });
}

interface ConsentOutcome {
  outcome: 'connected' | 'declined' | 'failed';
  code?: string;
  message?: string;
}

function consentRedirectUri(services: ApiServices): string {
  return `${services.config.publicUrl}/api/microsoft/consent/callback`;
}

/**
 * Entra's answer is untrusted: the signed state says which organization asked; the
 * tenant is proven by getting an app token for it and reading `/organization`.
 */
async function completeConsent(
  services: ApiServices,
  req: Request,
  query: { admin_consent?: string; tenant?: string; state?: string; error?: string; error_description?: string },
  cameFrom: (origin: 'tab' | 'onboarding') => void,
): Promise<ConsentOutcome> {
  const { organizationId, onboardingLinkId } = await services.consentStates.redeem(query.state);
  if (onboardingLinkId) cameFrom('onboarding');
  if (query.error) {
    const declined = query.error === 'access_denied' || query.error === 'consent_required';
    requestLogger(req).info({ organizationId, error: query.error }, 'admin consent not granted');
    return {
      outcome: declined ? 'declined' : 'failed',
      code: query.error,
      message: declined
        ? 'The permissions were not accepted. A Global Administrator, Privileged Role Administrator or Cloud Application Administrator must click Accept.'
        : `Microsoft Entra ID refused the consent: ${firstLine(query.error_description) ?? query.error}. Try again, or share the onboarding link with an administrator.`,
    };
  }
  const tenantId = await services.store.members.tenantOf(organizationId);
  if (!tenantId) throw new ApiProblem(404, 'ORGANIZATION_NOT_FOUND', 'The organization that asked for consent no longer exists.');
  if (query.tenant && query.tenant.toLowerCase() !== tenantId.toLowerCase()) {
    return {
      outcome: 'failed',
      code: 'CONSENT_OTHER_TENANT',
      message: 'Consent was granted in another Microsoft 365 tenant than yours. Sign in with an administrator account of your own tenant and try again.',
    };
  }
  try {
    // The consent just given is only in tokens issued from now on.
    forgetTenantTokens(tenantId);
    const organization = organizationSchema.parse(await services.graphFor(tenantId).get('/organization'));
    await services.store.connections.save(organizationId, tenantId, 'granted');
    await services.store.members.saveTenantName(organizationId, organization.value[0]?.displayName ?? null);
    if (onboardingLinkId) await services.store.onboardingLinks.markConsented(onboardingLinkId);
    requestLogger(req).info({ organizationId, tenantId }, 'Microsoft 365 connected');
    await services.changeNotifications.ensure(organizationId);
    return { outcome: 'connected' };
  } catch (error) {
    if (error instanceof GraphAuthenticationError || error instanceof GraphError) {
      return { outcome: 'failed', code: error.code, message: error.message };
    }
    if (error instanceof z.ZodError) {
      return { outcome: 'failed', code: 'GRAPH_UNEXPECTED_ANSWER', message: 'Microsoft Graph answered /organization oddly. Try "Connect to Microsoft 365" again.' };
    }
    throw error;
  }
}

function firstLine(text: string | undefined): string | undefined {
  return text?.split(/\r?\n/)[0]?.trim() || undefined;
}

/** Back to the tab, or to the onboarding console that asked (which kept its session; the link's secret is not in this URL). */
function redirectToTab(res: Response, services: ApiServices, outcome: ConsentOutcome, origin: 'tab' | 'onboarding'): void {
  const target = new URL(`${services.config.publicUrl}/${origin === 'onboarding' ? 'onboarding' : ''}`);
  target.searchParams.set('consent', outcome.outcome);
  if (outcome.code) target.searchParams.set('code', outcome.code);
  if (outcome.message) target.searchParams.set('message', outcome.message);
  res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store' });
  res.end();
}
