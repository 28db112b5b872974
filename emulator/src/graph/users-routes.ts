import { queryOption, type EmulatorRequest } from '../http/request';
import { graphError, json, type Reply } from '../http/reply';
import type { Router } from '../http/router';
import type { DirectoryUser } from '../tenants/directory-objects';
import type { Tenant } from '../tenants/tenant';
import { allows, insufficientPrivileges, PERMISSIONS, type GraphPrincipal } from './graph-principal';
import type { GraphRoute } from './graph-route';
import { evaluate, type FilterNode } from './odata-filter';
import { encodeToken, filterOf, isEventual, nextLink, odataContext, pageSize, reject, rejectUnsupportedOptions, selection, skipPosition, wantsCount } from './odata-query';
import { countOf, pageOf } from './paging';
import { renderOther, renderUser, USER_FILTERABLE, USER_PROPERTIES, userProperty } from './representations';

export function notFound(request: EmulatorRequest, id: string): Reply {
  return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, request);
}

/** `$search="displayName:abc"` (advanced query; tokens matched at word starts, case-insensitive). */
export function searchOf(request: EmulatorRequest, searchable: string[]): ((read: (p: string) => unknown) => boolean) | null {
  const raw = queryOption(request.url, '$search');
  if (raw === undefined) return null;
  if (!isEventual(request))
    reject(request, 400, 'Request_BadRequest', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
  const clauses = [...raw.matchAll(/"([^":]+):([^"]*)"/g)].map((m) => ({ property: m[1]!, term: m[2]!.toLowerCase() }));
  if (clauses.length === 0) reject(request, 400, 'Request_BadRequest', `Syntax error: the $search value ${raw} is not of the form "property:term".`);
  for (const c of clauses) if (!searchable.includes(c.property)) reject(request, 400, 'Request_UnsupportedQuery', `Search is not supported on property '${c.property}'.`);
  return (read) =>
    clauses.some((c) => {
      const value = read(c.property);
      return typeof value === 'string' && value.toLowerCase().split(/[\s.@_-]+/).some((word) => word.startsWith(c.term));
    });
}

function userFilter(request: EmulatorRequest, tenant: Tenant): (user: DirectoryUser) => boolean {
  const filter: FilterNode | null = filterOf(request, 'User', USER_FILTERABLE);
  const search = searchOf(request, ['displayName', 'mail', 'userPrincipalName', 'givenName', 'surname']);
  // With a replication delay on, a user created moments ago is not listed yet.
  const replicated = tenant.replicatedVersion;
  return (user) =>
    user.state === 'active' && user.createdVersion <= replicated && (!filter || evaluate(filter, (p) => userProperty(user, p))) && (!search || search((p) => userProperty(user, p)));
}

/**
 * `$expand=manager` or `$expand=manager($select=id,…)` on users, as Graph serves it: the
 * manager inline (absent when there is none). Other expansions are refused, and `$expand`
 * is not allowed in advanced queries.
 */
function managerExpansion(request: EmulatorRequest): { select: string[] | null } | null {
  const raw = queryOption(request.url, '$expand');
  if (raw === undefined || raw.trim() === '') return null;
  const match = /^manager(?:\(\$select=([^)]*)\))?$/i.exec(raw.trim());
  if (!match) reject(request, 400, 'Request_BadRequest', `Could not find a property named '${raw.split('(')[0]}' on type 'microsoft.graph.user' that can be expanded.`);
  if (isEventual(request) && wantsCount(request)) reject(request, 400, 'Request_UnsupportedQuery', "The query option '$expand' is not supported with advanced queries.");
  const select = match![1]?.split(',').map((p) => p.trim()).filter(Boolean) ?? null;
  for (const property of select ?? []) {
    if (!USER_PROPERTIES.has(property)) reject(request, 400, 'Request_BadRequest', `Could not find a property named '${property}' on type 'microsoft.graph.user'.`);
  }
  return { select };
}

/**
 * A user's manager as Graph renders it: a user, or an organizational contact
 * (user-list-manager: "the user or organizational contact assigned as the user's manager").
 */
function renderManager(user: DirectoryUser, tenant: Tenant, select: string[] | null): Record<string, unknown> | null {
  if (!user.managerId) return null;
  const manager = tenant.activeUser(user.managerId);
  if (manager) return { '@odata.type': '#microsoft.graph.user', ...renderUser(manager, select) };
  const contact = tenant.otherObject(user.managerId);
  return contact ? renderOther(contact, select) : null;
}

function withManager(rendered: Record<string, unknown>, user: DirectoryUser, tenant: Tenant, expansion: { select: string[] | null } | null): Record<string, unknown> {
  if (!expansion) return rendered;
  const manager = renderManager(user, tenant, expansion.select ?? null);
  if (!manager) return rendered;
  return { ...rendered, manager };
}

/**
 * `$expand` on directory objects returns at most 100 objects a page, whatever `$top` asks
 * (Graph known issue 13635; https://learn.microsoft.com/graph/query-parameters, "expand").
 */
export const EXPANDED_PAGE_LIMIT = 100;

/** Who may see users: User.Read.All-like permissions. */
function canReadUsers(principal: GraphPrincipal): boolean {
  return allows(principal, PERMISSIONS.readUsers);
}

export function addUserRoutes(router: Router<GraphRoute>): void {
  router.get('/v1.0/users', {
    cost: 'users',
    handle(request, principal) {
      if (!canReadUsers(principal)) return insufficientPrivileges(request);
      rejectUnsupportedOptions(request);
      if (queryOption(request.url, '$orderby') !== undefined) reject(request, 400, 'Request_UnsupportedQuery', 'Sorting is not supported by this emulator.');
      const select = selection(request, 'user', USER_PROPERTIES);
      const expansion = managerExpansion(request);
      const top = expansion ? Math.min(pageSize(request), EXPANDED_PAGE_LIMIT) : pageSize(request);
      const accept = userFilter(request, principal.tenant);
      const start = skipPosition(request);
      const { page, next } = pageOf(principal.tenant.users, start, top, accept);
      const body: Record<string, unknown> = { '@odata.context': odataContext(request, 'users', select) };
      if (start === 0 && wantsCount(request) && isEventual(request)) body['@odata.count'] = countOf(principal.tenant.users, accept);
      if (next !== null) body['@odata.nextLink'] = nextLink(request, encodeToken({ p: next }));
      body.value = page.map((u) => withManager(renderUser(u, select), u, principal.tenant, expansion));
      return json(200, body);
    },
  });

  router.get('/v1.0/users/$count', {
    cost: 'users',
    handle(request, principal) {
      if (!canReadUsers(principal)) return insufficientPrivileges(request);
      if (!isEventual(request)) return graphError(400, 'Request_BadRequest', '$count is not currently supported.', request);
      return { status: 200, text: String(countOf(principal.tenant.users, userFilter(request, principal.tenant))), headers: { 'content-type': 'text/plain;charset=utf-8' } };
    },
  });

  router.get('/v1.0/me', {
    cost: 'other',
    handle(request, principal) {
      if (principal.kind !== 'delegated' || !principal.userId)
        return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.', request);
      if (!allows(principal, PERMISSIONS.me)) return insufficientPrivileges(request);
      const user = principal.tenant.activeUser(principal.userId);
      if (!user) return notFound(request, principal.userId);
      const select = selection(request, 'user', USER_PROPERTIES);
      return json(200, { '@odata.context': odataContext(request, 'users/$entity', select), ...renderUser(user, select) });
    },
  });

  router.get('/v1.0/users/{id}', {
    cost: 'users',
    handle(request, principal) {
      const user = principal.tenant.activeUser(request.params.id!);
      const self = principal.kind === 'delegated' && user?.id === principal.userId && allows(principal, PERMISSIONS.me);
      if (!self && !canReadUsers(principal)) return insufficientPrivileges(request);
      if (!user) return notFound(request, request.params.id!);
      const select = selection(request, 'user', USER_PROPERTIES);
      const expansion = managerExpansion(request);
      return json(200, { '@odata.context': odataContext(request, 'users/$entity', select), ...withManager(renderUser(user, select), user, principal.tenant, expansion) });
    },
  });

  router.get('/v1.0/users/{id}/manager', {
    cost: 'users',
    handle(request, principal) {
      if (!canReadUsers(principal)) return insufficientPrivileges(request);
      const user = principal.tenant.activeUser(request.params.id!);
      if (!user) return notFound(request, request.params.id!);
      const select = selection(request, 'user', USER_PROPERTIES);
      const manager = renderManager(user, principal.tenant, select);
      if (!manager) return notFound(request, 'manager');
      return json(200, { '@odata.context': odataContext(request, 'directoryObjects/$entity', select), ...manager });
    },
  });
}

export function organizationOf(request: EmulatorRequest, tenant: Tenant): Record<string, unknown> {
  return {
    '@odata.context': odataContext(request, 'organization', null),
    value: [
      {
        id: tenant.id,
        deletedDateTime: null,
        businessPhones: [],
        city: null,
        country: null,
        countryLetterCode: tenant.countryLetterCode,
        createdDateTime: tenant.createdDateTime,
        displayName: tenant.displayName,
        tenantType: 'AAD',
        verifiedDomains: tenant.domains.map((d) => ({ capabilities: 'Email, OfficeCommunicationsOnline', isDefault: d.isDefault, isInitial: d.isInitial, name: d.name, type: 'Managed' })),
      },
    ],
  };
}
