import type { ConnectionStatus } from '../../contract';
import type { ConsentState } from '../../store';

/** A stored consent state as the tab shows the connection. */
export function connectionStatusOf(consentState: ConsentState | undefined): ConnectionStatus {
  return consentState === 'granted' ? 'connected' : consentState === 'revoked' ? 'consent_revoked' : 'not_connected';
}
