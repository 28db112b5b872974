import type { Server } from 'restify';
import type { ApiConfig } from '../../config';
import type { TabSettings } from '../../contract';
import { API_SCOPE } from '../auth/entra-token';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

/** Entra's sign-in hosts (public and national clouds); any other authority host is the emulator. */
const microsoftAuthorityHosts = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn']);

/**
 * The tab's sign-in settings, derived from the api's own configuration so the tab asks
 * for exactly the tokens this api accepts: the audience is API_AUDIENCE when set (Teams
 * SSO's `api://host/<client id>`), else Entra's default Application ID URI `api://<client id>`
 * ("Restrictions on identifier URIs of Microsoft Entra applications", learn.microsoft.com).
 * The authority is `organizations`: work accounts of any tenant, as a multi-tenant app signs in.
 */
export function tabSettings(config: ApiConfig): TabSettings {
  const { clientId, authorityHost } = config.microsoft;
  const audience = config.apiAudience ?? (clientId ? `api://${clientId}` : null);
  const host = new URL(authorityHost).host;
  return {
    clientId: clientId ?? null,
    authority: `${authorityHost}/organizations`,
    knownAuthorities: [host],
    apiScope: clientId && audience ? `${audience.replace(/\/+$/, '')}/${API_SCOPE}` : null,
    redirectUri: `${config.publicUrl.replace(/\/+$/, '')}/`,
    emulator: !microsoftAuthorityHosts.has(new URL(authorityHost).hostname.toLowerCase()),
  };
}

export function serveTabSettings(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const settings = tabSettings(services.config);
  serveRoute(server, 'tabSettings', authenticate, () => Promise.resolve(settings));
}
