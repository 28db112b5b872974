import { ApiProblem } from '../problem';
import type { ApiServices } from '../api-services';

/** The tenant of a connected organization, or a problem that says to connect first. */
export async function connectedTenant(services: ApiServices, organizationId: string): Promise<string> {
  const connection = await services.store.connections.get(organizationId);
  if (connection?.consentState === 'granted') return connection.tenantId;
  if (connection?.consentState === 'revoked') {
    throw new ApiProblem(409, 'MICROSOFT_CONSENT_REVOKED', 'The Microsoft 365 consent was revoked. Click "Connect to Microsoft 365" to grant it again.');
  }
  throw new ApiProblem(409, 'MICROSOFT_NOT_CONNECTED', 'Microsoft 365 is not connected yet. Click "Connect to Microsoft 365" first.');
}
