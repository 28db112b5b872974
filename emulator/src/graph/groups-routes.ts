import { queryOption, type EmulatorRequest } from '../http/request';
import { graphError, json, type Reply } from '../http/reply';
import type { Router } from '../http/router';
import { isMicrosoft365Group, type DirectoryGroup, type DirectoryUser, type OtherDirectoryObject, type OtherObjectKind } from '../tenants/directory-objects';
import type { Tenant } from '../tenants/tenant';
import { allows, insufficientPrivileges, PERMISSIONS, type GraphPrincipal } from './graph-principal';
import type { GraphRoute } from './graph-route';
import { evaluate } from './odata-filter';
import { encodeToken, filterOf, isEventual, nextLink, odataContext, pageSize, reject, rejectUnsupportedOptions, selection, skipPosition, wantsCount } from './odata-query';
import { countOf, pageOf } from './paging';
import { GROUP_FILTERABLE, GROUP_PROPERTIES, groupProperty, renderGroup, renderOther, renderUser, USER_FILTERABLE, USER_PROPERTIES, userProperty } from './representations';
import { notFound, searchOf } from './users-routes';

type MemberCast = 'user' | 'group' | OtherObjectKind | null;

const CASTS: Record<string, Exclude<MemberCast, null>> = {
  'microsoft.graph.user': 'user',
  'microsoft.graph.group': 'group',
  'microsoft.graph.device': 'device',
  'microsoft.graph.orgcontact': 'orgContact',
  'microsoft.graph.serviceprincipal': 'servicePrincipal',
};

function castOf(raw: string | undefined, request: EmulatorRequest): MemberCast {
  if (raw === undefined) return null;
  const cast = CASTS[raw.toLowerCase()];
  if (!cast) reject(request, 400, 'BadRequest', `Resource not found for the segment '${raw}'.`);
  return cast;
}

export function addGroupRoutes(router: Router<GraphRoute>): void {
  router.get('/v1.0/groups', {
    cost: 'other',
    handle(request, principal) {
      if (!allows(principal, PERMISSIONS.readGroups)) return insufficientPrivileges(request);
      rejectUnsupportedOptions(request);
      if (queryOption(request.url, '$orderby') !== undefined && !isEventual(request)) reject(request, 400, 'Request_UnsupportedQuery', 'Sorting needs ConsistencyLevel: eventual and $count=true.');
      const select = selection(request, 'group', GROUP_PROPERTIES);
      const top = pageSize(request);
      const filter = filterOf(request, 'Group', GROUP_FILTERABLE);
      const search = searchOf(request, ['displayName', 'description', 'mail', 'mailNickname']);
      const accept = (g: DirectoryGroup) =>
        g.state === 'active' && (!filter || evaluate(filter, (p) => groupProperty(g, p))) && (!search || search((p) => groupProperty(g, p)));
      const start = skipPosition(request);
      const { page, next } = pageOf(principal.tenant.groups, start, top, accept);
      const body: Record<string, unknown> = { '@odata.context': odataContext(request, 'groups', select) };
      if (start === 0 && wantsCount(request) && isEventual(request)) body['@odata.count'] = countOf(principal.tenant.groups, accept);
      if (next !== null) body['@odata.nextLink'] = nextLink(request, encodeToken({ p: next }));
      body.value = page.map((g) => renderGroup(g, select));
      return json(200, body);
    },
  });

  router.get('/v1.0/groups/{id}', {
    cost: 'other',
    handle(request, principal) {
      if (!allows(principal, PERMISSIONS.readGroups)) return insufficientPrivileges(request);
      const group = principal.tenant.activeGroup(request.params.id!);
      if (!group) return notFound(request, request.params.id!);
      const select = selection(request, 'group', GROUP_PROPERTIES);
      return json(200, { '@odata.context': odataContext(request, 'groups/$entity', select), ...renderGroup(group, select) });
    },
  });

  for (const relation of ['members', 'transitiveMembers'] as const) {
    const cost = relation === 'members' ? 'members' : 'transitiveMembers';
    const handle = (request: EmulatorRequest, principal: GraphPrincipal) => memberList(request, principal, relation, castOf(request.params.cast, request), false);
    router.get(`/v1.0/groups/{id}/${relation}`, { cost, handle });
    router.get(`/v1.0/groups/{id}/${relation}/{cast}`, {
      cost,
      handle: (request, principal) =>
        request.params.cast === '$count'
          ? memberList(request, principal, relation, null, true)
          : memberList(request, principal, relation, castOf(request.params.cast, request), false),
    });
    router.get(`/v1.0/groups/{id}/${relation}/{cast}/$count`, {
      cost,
      handle: (request, principal) => memberList(request, principal, relation, castOf(request.params.cast, request), true),
    });
  }
}

/** A type cast combined with $filter, $search, $orderby or $count is an advanced query: it needs ConsistencyLevel: eventual and $count=true. */
function rejectCastWithoutAdvancedQuery(request: EmulatorRequest): void {
  const advancedOptions = ['$filter', '$search', '$orderby'].some((o) => queryOption(request.url, o) !== undefined) || wantsCount(request);
  if (advancedOptions && !(isEventual(request) && wantsCount(request)))
    reject(request, 400, 'Request_UnsupportedQuery', 'Unsupported query: $filter, $search, $orderby or $count on a type cast needs ConsistencyLevel: eventual and $count=true.');
}

/**
 * `/users/{id}/memberOf` and `/users/{id}/transitiveMemberOf` (optionally cast to
 * `microsoft.graph.group`): the groups a user is in directly, or at any depth through
 * nested groups (Graph's user-list-memberof and user-list-transitivememberof pages). The
 * emulator has no administrative units or directory-role objects, so groups are all it lists.
 */
export function addUserMembershipRoutes(router: Router<GraphRoute>): void {
  for (const relation of ['memberOf', 'transitiveMemberOf'] as const) {
    const handle = (request: EmulatorRequest, principal: GraphPrincipal) => userGroups(request, principal, relation);
    router.get(`/v1.0/users/{id}/${relation}`, { cost: 'other', handle });
    router.get(`/v1.0/users/{id}/${relation}/{cast}`, {
      cost: 'other',
      handle: (request, principal) => {
        if (castOf(request.params.cast, request) !== 'group') reject(request, 400, 'Request_UnsupportedQuery', `A user is a member of groups only; '${request.params.cast}' is not a type it can be a member of here.`);
        return handle(request, principal);
      },
    });
  }
}

function userGroups(request: EmulatorRequest, principal: GraphPrincipal, relation: 'memberOf' | 'transitiveMemberOf'): Reply {
  if (!allows(principal, PERMISSIONS.readMembers)) return insufficientPrivileges(request);
  const tenant: Tenant = principal.tenant;
  const user = tenant.activeUser(request.params.id!);
  if (!user) return notFound(request, request.params.id!);
  rejectUnsupportedOptions(request);
  if (request.params.cast) rejectCastWithoutAdvancedQuery(request);
  const active = tenant.groups.filter((g) => g.state === 'active');
  const holding = (memberIds: ReadonlySet<string>) => active.filter((g) => [...memberIds].some((id) => g.members.has(id))).map((g) => g.id);
  let ids = holding(new Set([user.id]));
  if (relation === 'transitiveMemberOf') {
    const seen = new Set(ids);
    for (let frontier = new Set(ids); frontier.size > 0; ) {
      const next = holding(frontier).filter((id) => !seen.has(id));
      for (const id of next) seen.add(id);
      frontier = new Set(next);
    }
    ids = active.filter((g) => seen.has(g.id)).map((g) => g.id);
  }
  const select = selection(request, 'group', GROUP_PROPERTIES);
  const filter = filterOf(request, 'Group', GROUP_FILTERABLE);
  const accept = (id: string) => {
    const group = tenant.activeGroup(id);
    return group !== undefined && (!filter || evaluate(filter, (p) => groupProperty(group, p)));
  };
  const start = skipPosition(request);
  const { page, next } = pageOf(ids, start, pageSize(request), accept);
  const body: Record<string, unknown> = { '@odata.context': odataContext(request, request.params.cast ? 'groups' : 'directoryObjects', select) };
  if (start === 0 && wantsCount(request) && isEventual(request)) body['@odata.count'] = countOf(ids, accept);
  if (next !== null) body['@odata.nextLink'] = nextLink(request, encodeToken({ p: next }));
  body.value = page.map((id) => ({ '@odata.type': '#microsoft.graph.group', ...renderGroup(tenant.activeGroup(id)!, select) }));
  return json(200, body);
}

/**
 * Direct or transitive members, optionally cast to one type. Users come with their profile
 * only for callers allowed to read users (else just `@odata.type` and `id`).
 *
 * A cast is an advanced query: it needs `ConsistencyLevel: eventual` and `$count=true`
 * (https://learn.microsoft.com/graph/aad-advanced-queries, "OData cast" in its table of
 * queries that need the advanced query parameters). A cast to a type a group cannot hold
 * answers 400 `Request_UnsupportedQuery`: `…/transitiveMembers/microsoft.graph.group` on a
 * Microsoft 365 group, which holds only users
 * (https://learn.microsoft.com/graph/api/group-list-transitivemembers).
 */
function memberList(request: EmulatorRequest, principal: GraphPrincipal, relation: 'members' | 'transitiveMembers', cast: MemberCast, countOnly: boolean): Reply {
  if (!allows(principal, PERMISSIONS.readMembers)) return insufficientPrivileges(request);
  const tenant: Tenant = principal.tenant;
  const group = tenant.activeGroup(request.params.id!);
  if (!group) return notFound(request, request.params.id!);
  rejectUnsupportedOptions(request);
  if (countOnly && !isEventual(request)) return graphError(400, 'Request_BadRequest', '$count is not currently supported.', request);
  if (cast && !countOnly && !(isEventual(request) && wantsCount(request)))
    reject(request, 400, 'Request_UnsupportedQuery', 'Unsupported query: a type cast on group members needs the ConsistencyLevel: eventual header and $count=true.');
  if (cast && cast !== 'user' && isMicrosoft365Group(group))
    reject(request, 400, 'Request_UnsupportedQuery', `Unsupported query: Microsoft 365 groups can only have users as members, so the cast to microsoft.graph.${cast} is not supported on group '${group.id}'.`);

  const closure = relation === 'transitiveMembers' ? tenant.transitiveMembers(group.id) : null;
  const ids: string[] = !closure
    ? tenant.directMembers(group.id)
    : cast === 'user'
      ? closure.users
      : cast === 'group'
        ? closure.groups
        : [...closure.groups, ...closure.users, ...closure.others];
  const entity = cast === 'group' ? 'group' : 'user';
  const select = selection(request, entity, cast === 'group' ? GROUP_PROPERTIES : cast === 'user' ? USER_PROPERTIES : new Set([...USER_PROPERTIES, ...GROUP_PROPERTIES]));
  const filter = filterOf(request, cast === 'group' ? 'Group' : 'User', cast === 'group' ? GROUP_FILTERABLE : USER_FILTERABLE);
  const search = searchOf(request, ['displayName', 'mail', 'userPrincipalName']);
  const replicated = tenant.replicatedVersion;
  type Member = { kind: 'user'; o: DirectoryUser } | { kind: 'group'; o: DirectoryGroup } | { kind: 'other'; o: OtherDirectoryObject };
  const resolve = (id: string): Member | undefined => {
    const g = tenant.activeGroup(id);
    if (g) return { kind: 'group', o: g };
    const u = tenant.activeUser(id);
    if (u) return u.createdVersion <= replicated ? { kind: 'user', o: u } : undefined;
    const other = tenant.otherObject(id);
    return other ? { kind: 'other', o: other } : undefined;
  };
  const read = (m: Member) => (p: string) => (m.kind === 'group' ? groupProperty(m.o, p) : m.kind === 'user' ? userProperty(m.o, p) : p === 'id' ? m.o.id : p === 'displayName' ? m.o.displayName : p === 'mail' ? m.o.mail : null);
  const accept = (id: string) => {
    const m = resolve(id);
    if (!m) return false;
    if (cast && (m.kind === 'other' ? m.o.kind : m.kind) !== cast) return false;
    return (!filter || evaluate(filter, read(m))) && (!search || search(read(m)));
  };
  if (countOnly) return { status: 200, text: String(countOf(ids, accept)), headers: { 'content-type': 'text/plain;charset=utf-8' } };

  const seesProfiles = allows(principal, PERMISSIONS.readUsers);
  const start = skipPosition(request);
  const { page, next } = pageOf(ids, start, pageSize(request), accept);
  const body: Record<string, unknown> = {
    '@odata.context': odataContext(request, cast === 'user' ? 'users' : cast === 'group' ? 'groups' : cast ? `${cast}s` : 'directoryObjects', select),
  };
  if (start === 0 && wantsCount(request) && isEventual(request)) body['@odata.count'] = countOf(ids, accept);
  if (next !== null) body['@odata.nextLink'] = nextLink(request, encodeToken({ p: next }));
  body.value = page.map((id) => {
    const m = resolve(id)!;
    if (m.kind === 'group') return { '@odata.type': '#microsoft.graph.group', ...renderGroup(m.o, select?.filter((p) => GROUP_PROPERTIES.has(p)) ?? null) };
    if (m.kind === 'other') return renderOther(m.o, select);
    const userSelect = select?.filter((p) => USER_PROPERTIES.has(p)) ?? null;
    if (!seesProfiles) {
      const hidden = renderUser(m.o, userSelect);
      for (const key of Object.keys(hidden)) hidden[key] = key === 'id' ? m.o.id : null;
      return { '@odata.type': '#microsoft.graph.user', ...hidden, id: m.o.id };
    }
    return { '@odata.type': '#microsoft.graph.user', ...renderUser(m.o, userSelect) };
  });
  return json(200, body);
}
