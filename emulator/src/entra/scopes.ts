import { GRAPH_APP_ID, GRAPH_RESOURCE, type Cloud } from '../tenants/cloud';

export const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

export type ScopeResolution =
  | { ok: true; resource: 'graph'; audience: string; scopes: string[]; oidc: string[] }
  | { ok: true; resource: 'api'; audience: string; clientId: string; scopes: string[]; oidc: string[] }
  | { ok: false; aadsts: number; error: string; description: string };

/**
 * Splits a requested `scope` into OpenID scopes and one resource's scopes, as Entra does:
 * `User.Read` and `https://graph.microsoft.com/...` are Graph; `api://…/access_as_user` or
 * `{clientId}/access_as_user` name one of our registered APIs (the token's `aud` is the
 * resource exactly as requested).
 */
export function resolveScopes(cloud: Cloud, scopeParameter: string): ScopeResolution {
  const requested = scopeParameter.split(/\s+/).filter(Boolean);
  const oidc = requested.filter((s) => OIDC_SCOPES.has(s.toLowerCase()));
  const resourceScopes = requested.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  const byResource = new Map<string, string[]>();
  for (const scope of resourceScopes) {
    const slash = scope.lastIndexOf('/');
    const resource = slash < 0 ? GRAPH_RESOURCE : scope.slice(0, slash);
    const name = slash < 0 ? scope : scope.slice(slash + 1);
    const key = [GRAPH_RESOURCE, GRAPH_APP_ID, `${GRAPH_RESOURCE}/`].includes(resource.toLowerCase()) ? GRAPH_RESOURCE : resource;
    byResource.set(key, [...(byResource.get(key) ?? []), name]);
  }
  if (byResource.size > 1)
    return { ok: false, aadsts: 28000, error: 'invalid_scope', description: `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scopeParameter} is not valid.` };
  const [entry] = byResource.entries();
  if (!entry || entry[0] === GRAPH_RESOURCE) {
    const names = entry ? entry[1] : ['User.Read'];
    const scopes = names.includes('.default') ? ['User.Read'] : names;
    return { ok: true, resource: 'graph', audience: GRAPH_RESOURCE, scopes: [...new Set([...scopes, ...oidc.filter((s) => s !== 'offline_access')])], oidc };
  }
  const [resource, names] = entry;
  const app = cloud.app(resource) ?? cloud.appByIdentifierUri(resource);
  if (!app)
    return { ok: false, aadsts: 500011, error: 'invalid_resource', description: `The resource principal named ${resource} was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant.` };
  const unknown = names.filter((n) => n !== '.default' && !app.exposedScopes.includes(n));
  if (unknown.length > 0)
    return { ok: false, aadsts: 65005, error: 'invalid_client', description: `The application '${app.displayName}' asked for scope '${unknown.join(' ')}' that doesn't exist on the resource '${app.clientId}'.` };
  const scopes = names.includes('.default') ? app.exposedScopes : names;
  return { ok: true, resource: 'api', audience: resource, clientId: app.clientId, scopes, oidc };
}
