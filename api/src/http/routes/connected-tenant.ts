import { hasAppCredentials, microsoftAppNotConfigured } from '../../graph';
import { ApiProblem } from '../problem';
import type { ApiServices } from '../api-services';

/** The app's client id, or the one "Microsoft credentials missing" error as a 503 problem. */
export function requireMicrosoftApp(services: ApiServices): { clientId: string } {
  const app = services.config.microsoft;
  if (hasAppCredentials(app)) return { clientId: app.clientId };
  const missing = microsoftAppNotConfigured();
  throw new ApiProblem(503, missing.code, missing.message);
}

/**
 * The tenant of a connected organization, for a route about to use Graph; or a problem
 * that says to connect first (or to configure the Microsoft app).
 */
export async function connectedTenant(services: ApiServices, organizationId: string): Promise<string> {
  requireMicrosoftApp(services);
  const connection = await services.store.connections.get(organizationId);
  if (connection?.consentState === 'granted') return connection.tenantId;
  if (connection?.consentState === 'revoked') {
    throw new ApiProblem(409, 'MICROSOFT_CONSENT_REVOKED', 'The Microsoft 365 consent was revoked. Click "Connect to Microsoft 365" to grant it again.');
  }
  throw new ApiProblem(409, 'MICROSOFT_NOT_CONNECTED', 'Microsoft 365 is not connected yet. Click "Connect to Microsoft 365" first.');
}
