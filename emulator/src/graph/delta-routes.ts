import { queryOption, type EmulatorRequest } from '../http/request';
import { graphError, json, type Reply } from '../http/reply';
import type { Router } from '../http/router';
import type { DirectoryGroup, DirectoryUser } from '../tenants/directory-objects';
import type { Tenant } from '../tenants/tenant';
import { SeededRandom } from '../generator/seeded-random';
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
  /** 1 when the empty page of the emptyPages mode was served and the real one comes next. */
  z?: number;
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
    return skiptoken ? state : { ...state, since: state.upto, upto: Math.max(state.upto, tenant.replicatedVersion), p: 0, m: 0, z: 0, at: Date.now() };
  }
  if (queryOption(request.url, '$top') !== undefined) reject(request, 400, 'Request_UnsupportedQuery', "The query option '$top' is not supported on delta.");
  if (queryOption(request.url, '$orderby') !== undefined) reject(request, 400, 'Request_UnsupportedQuery', "The query option '$orderby' is not supported on delta.");
  // user-delta / group-delta: "$expand is not supported"; the manager is tracked with $select=manager.
  if (queryOption(request.url, '$expand') !== undefined) reject(request, 400, 'Request_UnsupportedQuery', "The query option '$expand' is not supported on delta.");
  const known = kind === 'users' ? USER_DELTA_PROPERTIES : GROUP_DELTA_PROPERTIES;
  const select = selection(request, kind === 'users' ? 'user' : 'group', known);
  const ids = idFilter(request, filterOf(request, kind === 'users' ? 'User' : 'Group', new Set(['id'])));
  if (deltatoken === 'latest') return 'latest';
  return { k: kind, t: tenant.id, e: tenant.deltaEpoch, s: select, f: ids, since: 0, upto: tenant.replicatedVersion, p: 0, m: 0, z: 0, at: Date.now() };
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

/**
 * The documented eventual-consistency behaviours, when the tenant has them switched on:
 * an empty page with a nextLink before each page of objects, replays of unchanged objects
 * in later rounds, duplicates, and no order within a page.
 */
function quirkyPage(request: EmulatorRequest, tenant: Tenant, kind: 'users' | 'groups', state: DeltaState, page: () => { value: Record<string, unknown>[]; next: DeltaState; done: boolean; replay: (random: SeededRandom) => Record<string, unknown> | null }): Reply {
  const quirks = tenant.consistency;
  if (quirks.emptyPages && state.z !== 1) return json(200, { '@odata.context': odataContext(request, kind, state.s), ...links(request, kind, { ...state, z: 1 }, false), value: [] });
  const { value, next, done, replay } = page();
  const random = new SeededRandom(state.since * 7919 + state.p * 31 + state.m + value.length);
  if (quirks.replays && state.since > 0) {
    for (let n = 0; n < 2; n++) {
      const again = replay(random);
      if (again) value.push(again);
    }
  }
  if (quirks.duplicates) for (const entry of [...value]) if (random.chance(0.25)) value.push({ ...entry });
  if (quirks.shuffle) {
    for (let i = value.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [value[i], value[j]] = [value[j]!, value[i]!];
    }
  }
  return json(200, { '@odata.context': odataContext(request, kind, state.s), ...links(request, kind, { ...next, z: 0 }, done), value }, prefersMinimal(request) && state.since > 0 ? { 'preference-applied': 'return=minimal' } : undefined);
}

function usersDelta(request: EmulatorRequest, principal: GraphPrincipal): Reply {
  if (!allows(principal, PERMISSIONS.readUsers)) return insufficientPrivileges(request);
  const tenant = principal.tenant;
  const state = deltaState(request, tenant, 'users');
  if (state === 'latest') {
    const latest = deltaState({ ...request, url: withoutLatest(request.url) }, tenant, 'users') as DeltaState;
    return json(200, { '@odata.context': odataContext(request, 'users', latest.s), ...links(request, 'users', { ...latest, since: tenant.replicatedVersion, upto: tenant.replicatedVersion }, true), value: [] });
  }
  if (!isDeltaState(state)) return state;
  const tracked = (state.s ?? [...DEFAULT_USER_PROPERTIES]).filter((p) => p !== 'id');
  const minimal = prefersMinimal(request) && state.since > 0;
  const initial = state.since === 0;
  const items = positions(tenant.users, state.f, (id) => tenant.user(id));
  return quirkyPage(request, tenant, 'users', state, () => {
    const value: Record<string, unknown>[] = [];
    let i = 0;
    // Find where the cursor stands in `items` (positions are increasing).
    while (i < items.length && items[i]!.position < state.p) i++;
    const first = i;
    for (; i < items.length && value.length < DELTA_PAGE_OBJECTS; i++) {
      const entry = userDeltaEntry(tenant, items[i]!, state, tracked, initial, minimal);
      if (entry) value.push(entry);
    }
    const done = i >= items.length;
    const next = done ? { ...state, since: state.upto, p: 0 } : { ...state, p: items[i]!.position };
    // A replay: an active user of this stretch, as it stands, though nothing changed.
    const replay = (random: SeededRandom) => {
      const candidates = i - first;
      if (candidates <= 0) return null;
      const user = items[first + random.int(candidates)]!;
      return user.state === 'active' && user.createdVersion <= state.upto ? withManager({ ...renderUser(user, tracked), id: user.id }, user, tracked, tenant, true) : null;
    };
    return { value, next, done, replay };
  });
}

/** Whether something that happened at `version` falls in the round's window `(since, upto]`. */
const inWindow = (version: number, state: DeltaState) => version > state.since && version <= state.upto;

function userDeltaEntry(tenant: Tenant, user: DirectoryUser, state: DeltaState, tracked: string[], initial: boolean, minimal: boolean): Record<string, unknown> | null {
  if (user.createdVersion > state.upto) return null; // next round
  if (initial) {
    if (user.state === 'purged') return null;
    if (user.state === 'softDeleted') return { id: user.id, '@removed': { reason: 'changed' } };
  } else {
    const lifecycleChanged = inWindow(user.lifecycleVersion, state);
    const created = user.createdVersion > state.since;
    const changed = tracked.filter((p) => inWindow(user.changedAt(p), state));
    if (!lifecycleChanged && !created && changed.length === 0) return null;
    if (user.state === 'purged') return created ? null : { id: user.id, '@removed': { reason: 'deleted' } };
    if (user.state === 'softDeleted') return { id: user.id, '@removed': { reason: 'changed' } };
    if (minimal && !created && !lifecycleChanged) return withManager({ ...renderUser(user, changed), id: user.id }, user, changed, tenant, changed.includes('manager'));
    return withManager({ ...renderUser(user, tracked), id: user.id }, user, tracked, tenant, !created && changed.includes('manager'));
  }
  return withManager({ ...renderUser(user, tracked), id: user.id }, user, tracked, tenant, false);
}

/**
 * `manager@delta` when the manager is tracked: the manager (a user or an organizational
 * contact, user-list-manager); a manager removed in the round as an entry marked
 * `@removed` (user-delta); nothing for a user who has no manager and lost none.
 */
function withManager(entry: Record<string, unknown>, user: DirectoryUser, tracked: string[], tenant: Tenant, managerChanged: boolean): Record<string, unknown> {
  if (!tracked.includes('manager')) return entry;
  if (user.managerId) entry['manager@delta'] = [{ '@odata.type': tenant.odataTypeOf(user.managerId), id: user.managerId }];
  else if (managerChanged && user.previousManagerId)
    entry['manager@delta'] = [{ '@odata.type': tenant.odataTypeOf(user.previousManagerId), id: user.previousManagerId, '@removed': { reason: 'deleted' } }];
  return entry;
}

function groupsDelta(request: EmulatorRequest, principal: GraphPrincipal): Reply {
  if (!allows(principal, PERMISSIONS.readGroups)) return insufficientPrivileges(request);
  const tenant = principal.tenant;
  const state = deltaState(request, tenant, 'groups');
  if (state === 'latest') {
    const latest = deltaState({ ...request, url: withoutLatest(request.url) }, tenant, 'groups') as DeltaState;
    return json(200, { '@odata.context': odataContext(request, 'groups', latest.s), ...links(request, 'groups', { ...latest, since: tenant.replicatedVersion, upto: tenant.replicatedVersion }, true), value: [] });
  }
  if (!isDeltaState(state)) return state;
  // group-delta: without $select, the default properties and `members@delta` come back.
  const tracked = (state.s ?? [...DEFAULT_GROUP_PROPERTIES, 'members']).filter((p) => p !== 'id');
  const withMembers = tracked.includes('members');
  const initial = state.since === 0;
  const items = positions(tenant.groups, state.f, (id) => tenant.group(id));
  return quirkyPage(request, tenant, 'groups', state, () => {
    const value: Record<string, unknown>[] = [];
    let linkBudget = DELTA_PAGE_LINKS;
    let i = 0;
    while (i < items.length && items[i]!.position < state.p) i++;
    const first = i;
    let memberOffset = state.m;
    let cut: { p: number; m: number } | null = null;
    for (; i < items.length && value.length < DELTA_PAGE_OBJECTS; i++, memberOffset = 0) {
      const group = items[i]!;
      const entry = groupDeltaEntry(tenant, group, state, tracked, initial);
      if (!entry) continue;
      if (withMembers && entry.links) {
        const slice = entry.links.slice(memberOffset, memberOffset + linkBudget);
        // A group with no member (changes) has no members@delta at all (group-delta).
        if (slice.length > 0) entry.body['members@delta'] = slice;
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
    // A replay: a group of this stretch with its properties, and no member changes.
    const replay = (random: SeededRandom) => {
      const candidates = i - first;
      if (candidates <= 0) return null;
      const group = items[first + random.int(candidates)]!;
      return group.state === 'active' && group.createdVersion <= state.upto ? { ...renderGroup(group, tracked), id: group.id } : null;
    };
    return { value, next, done, replay };
  });
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
    const lifecycleChanged = inWindow(group.lifecycleVersion, state);
    const changed = tracked.some((p) => p !== 'members' && inWindow(group.changedAt(p), state));
    const memberChanges = withMembers && !created ? group.memberChangesSince(state.since).filter((c) => c.version <= state.upto) : [];
    if (!created && !lifecycleChanged && !changed && memberChanges.length === 0) return null;
    if (group.state !== 'active') return created ? null : { body: { id: group.id, '@removed': { reason: 'deleted' } }, links: null };
    if (!created) {
      const body = { ...renderGroup(group, tracked), id: group.id };
      const links: MemberLink[] = memberChanges.map((c) => (c.added ? { '@odata.type': typeOf(c.memberId), id: c.memberId } : { '@odata.type': typeOf(c.memberId), id: c.memberId, '@removed': { reason: 'deleted' } }));
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
