import { queryOption, type EmulatorRequest } from '../http/request';
import { graphError, json, type Reply } from '../http/reply';
import type { Router } from '../http/router';
import type { DirectoryGroup, DirectoryUser } from '../tenants/directory-objects';
import type { Tenant } from '../tenants/tenant';
import { allows, insufficientPrivileges, PERMISSIONS, type GraphPrincipal } from './graph-principal';
import type { GraphRoute } from './graph-route';
import type { FilterNode } from './odata-filter';
import { decodeToken, encodeToken, filterOf, odataContext, reject, selection } from './odata-query';
import { DEFAULT_GROUP_PROPERTIES, DEFAULT_USER_PROPERTIES, GROUP_DELTA_PROPERTIES, renderGroup, renderUser, USER_DELTA_PROPERTIES } from './representations';

/** Objects a delta page holds (Graph: "about 200"), and member links a groups page holds (up to 500). */
export const DELTA_PAGE_OBJECTS = 200;
export const DELTA_PAGE_LINKS = 500;
/** Directory delta tokens live about seven days. */
const DELTA_TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Everything a delta round needs, carried in its tokens (query options are baked in on
 * the first request): what is tracked, the version window `(since, upto]`, and the cursor.
 */
interface DeltaState {
  k: 'users' | 'groups';
  t: string;
  e: number;
  s: string[] | null;
  f: string[] | null;
  since: number;
  upto: number;
  p: number;
  m: number;
  at: number;
}

function isDeltaState(v: unknown): v is DeltaState {
  const s = v as DeltaState;
  return typeof v === 'object' && v !== null && (s.k === 'users' || s.k === 'groups') && typeof s.t === 'string' && typeof s.since === 'number' && typeof s.p === 'number';
}

/** `$filter` on delta: only `id eq '…'` (or'ed, up to 50). */
function idFilter(request: EmulatorRequest, node: FilterNode | null): string[] | null {
  if (!node) return null;
  const ids: string[] = [];
  const walk = (n: FilterNode): void => {
    if (n.kind === 'or') {
      walk(n.left);
      walk(n.right);
    } else if (n.kind === 'compare' && n.op === 'eq' && n.property.toLowerCase() === 'id' && typeof n.value === 'string') {
      ids.push(n.value);
    } else {
      reject(request, 400, 'Request_UnsupportedQuery', "Unsupported query: delta supports only $filter=id eq '…' (up to 50 ids, joined with or).");
    }
  };
  walk(node);
  if (ids.length > 50) reject(request, 400, 'Request_UnsupportedQuery', 'Delta $filter supports up to 50 ids.');
  return ids;
}

/** Reads the delta request: first round, `latest`, a page of a round, or a new round from a deltaLink. Expired → 410. */
function deltaState(request: EmulatorRequest, tenant: Tenant, kind: 'users' | 'groups'): DeltaState | Reply | 'latest' {
  const skiptoken = queryOption(request.url, '$skiptoken');
  const deltatoken = queryOption(request.url, '$deltatoken');
  const token = skiptoken ?? (deltatoken && deltatoken !== 'latest' ? deltatoken : undefined);
  if (token) {
    const state = decodeToken(request, token, isDeltaState, skiptoken ? '$skiptoken' : '$deltatoken');
    if (state.k !== kind || state.t !== tenant.id) reject(request, 400, 'Request_BadRequest', 'The delta token was issued for another resource or tenant.');
    if (state.e !== tenant.deltaEpoch || Date.now() - state.at > DELTA_TOKEN_LIFETIME_MS) {
      const options = [state.s ? `$select=${state.s.join(',')}` : '', state.f ? `$filter=${state.f.map((id) => `id eq '${id}'`).join(' or ')}` : '', '$deltatoken='].filter(Boolean);
      return graphError(410, 'syncStateNotFound', 'The delta token has expired or is no longer valid. Start over with a new delta round (resyncRequired).', request, {
        location: `${request.base}/v1.0/${kind}/delta?${options.join('&')}`,
      });
    }
    // A deltaLink starts a new round over what changed since the last one ended.
    return skiptoken ? state : { ...state, since: state.upto, upto: tenant.currentVersion, p: 0, m: 0, at: Date.now() };
  }
  if (queryOption(request.url, '$top') !== undefined) reject(request, 400, 'Request_UnsupportedQuery', "The query option '$top' is not supported on delta.");
  if (queryOption(request.url, '$orderby') !== undefined) reject(request, 400, 'Request_UnsupportedQuery', "The query option '$orderby' is not supported on delta.");
  const expand = queryOption(request.url, '$expand');
  if (expand !== undefined && !(kind === 'users' && expand.toLowerCase() === 'manager'))
    reject(request, 400, 'Request_UnsupportedQuery', "The query option '$expand' is not supported on delta.");
  const known = kind === 'users' ? USER_DELTA_PROPERTIES : GROUP_DELTA_PROPERTIES;
  let select = selection(request, kind === 'users' ? 'user' : 'group', known);
  if (expand && select && !select.includes('manager')) select = [...select, 'manager'];
  const ids = idFilter(request, filterOf(request, kind === 'users' ? 'User' : 'Group', new Set(['id'])));
  if (deltatoken === 'latest') return 'latest';
  return { k: kind, t: tenant.id, e: tenant.deltaEpoch, s: select, f: ids, since: 0, upto: tenant.currentVersion, p: 0, m: 0, at: Date.now() };
}

function links(request: EmulatorRequest, kind: string, state: DeltaState, done: boolean): Record<string, string> {
  const token = encodeToken(state);
  return done ? { '@odata.deltaLink': `${request.base}/v1.0/${kind}/delta?$deltatoken=${token}` } : { '@odata.nextLink': `${request.base}/v1.0/${kind}/delta?$skiptoken=${token}` };
}

function prefersMinimal(request: EmulatorRequest): boolean {
  return /return=minimal/i.test(request.headers.prefer ?? '');
}

/** Positions of the objects a round walks: every object, or only those named by `$filter=id eq`. */
function positions<T extends { id: string; position: number }>(all: T[], ids: string[] | null, lookup: (id: string) => T | undefined): ArrayLike<T> {
  if (!ids) return all;
  return ids
    .map(lookup)
    .filter((o): o is T => o !== undefined)
    .sort((a, b) => a.position - b.position);
}

export function addDeltaRoutes(router: Router<GraphRoute>): void {
  router.get('/v1.0/users/delta', { cost: 'users', handle: usersDelta });
  router.get('/v1.0/groups/delta', { cost: 'other', handle: groupsDelta });
}

function usersDelta(request: EmulatorRequest, principal: GraphPrincipal): Reply {
  if (!allows(principal, PERMISSIONS.readUsers)) return insufficientPrivileges(request);
  const tenant = principal.tenant;
  const state = deltaState(request, tenant, 'users');
  if (state === 'latest') {
    const latest = deltaState({ ...request, url: withoutLatest(request.url) }, tenant, 'users') as DeltaState;
    return json(200, { '@odata.context': odataContext(request, 'users', latest.s), ...links(request, 'users', { ...latest, since: tenant.currentVersion, upto: tenant.currentVersion }, true), value: [] });
  }
  if (!isDeltaState(state)) return state;
  const tracked = (state.s ?? [...DEFAULT_USER_PROPERTIES]).filter((p) => p !== 'id');
  const minimal = prefersMinimal(request) && state.since > 0;
  const initial = state.since === 0;
  const items = positions(tenant.users, state.f, (id) => tenant.user(id));
  const value: Record<string, unknown>[] = [];
  let i = 0;
  // Find where the cursor stands in `items` (positions are increasing).
  while (i < items.length && items[i]!.position < state.p) i++;
  for (; i < items.length && value.length < DELTA_PAGE_OBJECTS; i++) {
    const user = items[i]!;
    const entry = userDeltaEntry(tenant, user, state, tracked, initial, minimal);
    if (entry) value.push(entry);
  }
  const done = i >= items.length;
  const next = done ? { ...state, since: state.upto, p: 0 } : { ...state, p: items[i]!.position };
  const headers = minimal ? { 'preference-applied': 'return=minimal' } : undefined;
  return json(200, { '@odata.context': odataContext(request, 'users', state.s), ...links(request, 'users', next, done), value }, headers);
}

function userDeltaEntry(tenant: Tenant, user: DirectoryUser, state: DeltaState, tracked: string[], initial: boolean, minimal: boolean): Record<string, unknown> | null {
  if (user.createdVersion > state.upto) return null; // next round
  if (initial) {
    if (user.state === 'purged') return null;
    if (user.state === 'softDeleted') return { id: user.id, '@removed': { reason: 'changed' } };
  } else {
    const lifecycleChanged = user.lifecycleVersion > state.since;
    const created = user.createdVersion > state.since;
    const changed = tracked.filter((p) => user.changedAt(p) > state.since);
    if (!lifecycleChanged && !created && changed.length === 0) return null;
    if (user.state === 'purged') return created ? null : { id: user.id, '@removed': { reason: 'deleted' } };
    if (user.state === 'softDeleted') return { id: user.id, '@removed': { reason: 'changed' } };
    if (minimal && !created && !lifecycleChanged) return withManager({ ...renderUser(user, changed), id: user.id }, user, changed, tenant);
  }
  return withManager({ ...renderUser(user, tracked), id: user.id }, user, tracked, tenant);
}

function withManager(entry: Record<string, unknown>, user: DirectoryUser, tracked: string[], tenant: Tenant): Record<string, unknown> {
  // The manager can be a user or an organizational contact (user-list-manager).
  if (tracked.includes('manager')) entry['manager@delta'] = user.managerId ? [{ '@odata.type': tenant.odataTypeOf(user.managerId), id: user.managerId }] : [];
  return entry;
}

function groupsDelta(request: EmulatorRequest, principal: GraphPrincipal): Reply {
  if (!allows(principal, PERMISSIONS.readGroups)) return insufficientPrivileges(request);
  const tenant = principal.tenant;
  const state = deltaState(request, tenant, 'groups');
  if (state === 'latest') {
    const latest = deltaState({ ...request, url: withoutLatest(request.url) }, tenant, 'groups') as DeltaState;
    return json(200, { '@odata.context': odataContext(request, 'groups', latest.s), ...links(request, 'groups', { ...latest, since: tenant.currentVersion, upto: tenant.currentVersion }, true), value: [] });
  }
  if (!isDeltaState(state)) return state;
  const tracked = (state.s ?? [...DEFAULT_GROUP_PROPERTIES]).filter((p) => p !== 'id');
  const withMembers = tracked.includes('members');
  const initial = state.since === 0;
  const items = positions(tenant.groups, state.f, (id) => tenant.group(id));
  const value: Record<string, unknown>[] = [];
  let linkBudget = DELTA_PAGE_LINKS;
  let i = 0;
  while (i < items.length && items[i]!.position < state.p) i++;
  let memberOffset = state.m;
  let cut: { p: number; m: number } | null = null;
  for (; i < items.length && value.length < DELTA_PAGE_OBJECTS; i++, memberOffset = 0) {
    const group = items[i]!;
    const entry = groupDeltaEntry(tenant, group, state, tracked, initial);
    if (!entry) continue;
    if (withMembers && entry.links) {
      const slice = entry.links.slice(memberOffset, memberOffset + linkBudget);
      entry.body['members@delta'] = slice;
      linkBudget -= slice.length;
      value.push(entry.body);
      if (memberOffset + slice.length < entry.links.length) {
        // A big group continues on the next page with the rest of its members.
        cut = { p: group.position, m: memberOffset + slice.length };
        i++;
        break;
      }
      if (linkBudget <= 0) {
        i++;
        break;
      }
    } else {
      value.push(entry.body);
    }
  }
  const done = cut === null && i >= items.length;
  const next = done ? { ...state, since: state.upto, p: 0, m: 0 } : cut ? { ...state, ...cut } : { ...state, p: items[i]!.position, m: 0 };
  return json(200, { '@odata.context': odataContext(request, 'groups', state.s), ...links(request, 'groups', next, done), value });
}

type MemberLink = { '@odata.type': string; id: string; '@removed'?: { reason: 'deleted' } };

function groupDeltaEntry(tenant: Tenant, group: DirectoryGroup, state: DeltaState, tracked: string[], initial: boolean): { body: Record<string, unknown>; links: MemberLink[] | null } | null {
  if (group.createdVersion > state.upto) return null;
  const typeOf = (id: string) => tenant.odataTypeOf(id);
  const withMembers = tracked.includes('members');
  if (initial) {
    if (group.state !== 'active') return null;
  } else {
    const created = group.createdVersion > state.since;
    const lifecycleChanged = group.lifecycleVersion > state.since;
    const changed = tracked.some((p) => p !== 'members' && group.changedAt(p) > state.since);
    const membersChanged = withMembers && group.lastMemberChange() > state.since;
    if (!created && !lifecycleChanged && !changed && !membersChanged) return null;
    if (group.state !== 'active') return created ? null : { body: { id: group.id, '@removed': { reason: 'deleted' } }, links: null };
    if (!created) {
      const body = { ...renderGroup(group, tracked), id: group.id };
      const links: MemberLink[] = group.memberChangesSince(state.since).map((c) => (c.added ? { '@odata.type': typeOf(c.memberId), id: c.memberId } : { '@odata.type': typeOf(c.memberId), id: c.memberId, '@removed': { reason: 'deleted' } }));
      return { body, links: withMembers ? links : null };
    }
  }
  const body = { ...renderGroup(group, tracked), id: group.id };
  const links: MemberLink[] = withMembers ? tenant.directMembers(group.id).map((id) => ({ '@odata.type': typeOf(id), id })) : [];
  return { body, links: withMembers ? links : null };
}

function withoutLatest(url: URL): URL {
  const copy = new URL(url);
  for (const key of [...copy.searchParams.keys()]) if (key.replace(/^\$/, '').toLowerCase() === 'deltatoken') copy.searchParams.delete(key);
  return copy;
}
