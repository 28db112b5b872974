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
    reject(request, 400, 'Request_UnsupportedQuery', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
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

/**
 * `$orderby=displayName` (asc or desc) works on users without the advanced query headers
 * (https://learn.microsoft.com/graph/aad-advanced-queries: "$orderby on displayName and
 * userPrincipalName is supported by default"); other properties, or sorting a filtered or
 * searched list, are advanced queries.
 */
function userOrder(request: EmulatorRequest): { property: 'displayName' | 'userPrincipalName'; descending: boolean } | null {
  const raw = queryOption(request.url, '$orderby');
  if (raw === undefined) return null;
  const match = /^\s*(displayName|userPrincipalName)(?:\s+(asc|desc))?\s*$/i.exec(raw);
  if (!match) reject(request, 400, 'Request_UnsupportedQuery', `Sorting on '${raw}' is not supported.`);
  const advanced = queryOption(request.url, '$filter') !== undefined || queryOption(request.url, '$search') !== undefined;
  if (advanced && !(isEventual(request) && wantsCount(request))) reject(request, 400, 'Request_UnsupportedQuery', 'Sorting a filtered list needs ConsistencyLevel: eventual and $count=true (advanced query).');
  return { property: match![1]!.toLowerCase() === 'displayname' ? 'displayName' : 'userPrincipalName', descending: (match![2] ?? 'asc').toLowerCase() === 'desc' };
}

const sortedCache = new WeakMap<Tenant, Map<string, { version: number; users: DirectoryUser[] }>>();

/** The tenant's users in the asked order, kept until the tenant next changes (paging positions stay stable). */
function sortedUsers(tenant: Tenant, order: { property: 'displayName' | 'userPrincipalName'; descending: boolean }): DirectoryUser[] {
  const key = `${order.property}:${order.descending}`;
  const byOrder = sortedCache.get(tenant) ?? new Map<string, { version: number; users: DirectoryUser[] }>();
  sortedCache.set(tenant, byOrder);
  const cached = byOrder.get(key);
  if (cached && cached.version === tenant.currentVersion) return cached.users;
  const direction = order.descending ? -1 : 1;
  const users = [...tenant.users].sort((a, b) => direction * (a[order.property].localeCompare(b[order.property]) || a.position - b.position));
  byOrder.set(key, { version: tenant.currentVersion, users });
  return users;
}

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
      const order = userOrder(request);
      const select = selection(request, 'user', USER_PROPERTIES);
      const expansion = managerExpansion(request);
      const top = expansion ? Math.min(pageSize(request), EXPANDED_PAGE_LIMIT) : pageSize(request);
      const accept = userFilter(request, principal.tenant);
      const start = skipPosition(request);
      const { page, next } = pageOf(order ? sortedUsers(principal.tenant, order) : principal.tenant.users, start, top, accept);
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

  // Not listed in the throttling table's base costs, so 1 resource unit (throttling-limits).
  router.get('/v1.0/users/{id}', {
    cost: 'other',
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

  // user-list-directreports: the users (and contacts) whose manager the user is; only active ones,
  // as a deleted object is hidden behind navigation properties. Paged like other lists.
  router.get('/v1.0/users/{id}/directReports', {
    cost: 'other',
    handle(request, principal) {
      if (!canReadUsers(principal)) return insufficientPrivileges(request);
      rejectUnsupportedOptions(request);
      const manager = principal.tenant.activeUser(request.params.id!);
      if (!manager) return notFound(request, request.params.id!);
      const select = selection(request, 'user', USER_PROPERTIES);
      const start = skipPosition(request);
      const { page, next } = pageOf(principal.tenant.users, start, pageSize(request), (u) => u.state === 'active' && u.managerId === manager.id);
      const body: Record<string, unknown> = { '@odata.context': odataContext(request, 'directoryObjects', select) };
      if (next !== null) body['@odata.nextLink'] = nextLink(request, encodeToken({ p: next }));
      body.value = page.map((u) => ({ '@odata.type': '#microsoft.graph.user', ...renderUser(u, select) }));
      return json(200, body);
    },
  });

  router.get('/v1.0/users/{id}/manager', {
    cost: 'other',
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
