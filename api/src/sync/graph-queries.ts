import { directoryUserFields } from '../domain';

/**
 * The Graph requests a sync makes. Every user read names the same $select, so a full
 * listing, a group's members and a delta round see the same properties (and a delta
 * token tracks exactly those).
 */
const userSelect = directoryUserFields.join(',');
const encodedQuote = (value: string) => value.replace(/'/g, "''");

export const graphQueries = {
  /** A "from now" users delta link, taken before a full listing so nothing changed during it is lost. */
  usersDeltaFromNow: `/users/delta?$deltatoken=latest&$select=${userSelect},manager`,
  /** Every user, 999 a page (delta would give at most ~200). */
  allUsers: `/users?$top=999&$select=${userSelect}&$expand=manager($select=id)`,
  /**
   * One partition of the listing: the users whose UPN starts with one of `initials`
   * (case-insensitive; `or` of `startswith` is a plain filter, as in the query-parameters
   * page's own example, https://learn.microsoft.com/graph/query-parameters#filter-parameter),
   * 100 a page since it expands the manager.
   */
  usersStartingWith: (initials: readonly string[]) =>
    `/users?$filter=${encodeURIComponent(initials.map((initial) => `startswith(userPrincipalName,'${encodedQuote(initial)}')`).join(' or '))}&$top=999&$select=${userSelect}&$expand=manager($select=id)`,
  /** How many users the tenant has, disabled ones included (an advanced query: ConsistencyLevel: eventual; text/plain). */
  userCount: '/users/$count',
  groupsDeltaFromNow: '/groups/delta?$deltatoken=latest&$select=displayName,members',
  /** `groupTypes` tells a Microsoft 365 group (`Unified`: users only, never nested groups) from a security group. */
  groupsNamed: (name: string) => `/groups?$filter=${encodeURIComponent(`displayName eq '${encodedQuote(name)}'`)}&$select=id,displayName,groupTypes&$top=999`,
  group: (id: string) => `/groups/${encodeURIComponent(id)}?$select=id,displayName,groupTypes`,
  /**
   * Users anywhere under the group, nested groups included; the cast leaves out devices,
   * contacts and service principals. Their managers are not in it: see userManager. A cast
   * is sent with $count=true and castHeaders (see there).
   */
  usersUnderGroup: (id: string) => `/groups/${encodeURIComponent(id)}/transitiveMembers/microsoft.graph.user?$count=true&$top=999&$select=${userSelect}`,
  /** One user with the manager, as the listing reads them (one $batch item each). */
  userWithManager: (id: string) => `/users/${encodeURIComponent(id)}?$select=${userSelect}&$expand=manager($select=id)`,
  /** Who reports to a manager ("List directReports", learn.microsoft.com/graph/api/user-list-directreports): users and contacts, ids only. */
  directReports: (id: string) => `/users/${encodeURIComponent(id)}/directReports?$select=id&$top=999`,
  /** One user's manager id, for the members a group read brings (one $batch item each; 1 resource unit). */
  userManager: (id: string) => `/users/${encodeURIComponent(id)}?$select=id&$expand=manager($select=id)`,
  /** Direct members (users and nested groups, each with its @odata.type): who holds whom, for "through which group". */
  directMembers: (id: string) => `/groups/${encodeURIComponent(id)}/members?$top=999&$select=id`,
  /**
   * How many users are anywhere under the group (text/plain; an advanced query: ConsistencyLevel: eventual),
   * "Get only a count of transitive membership", learn.microsoft.com/graph/api/group-list-transitivemembers.
   */
  usersUnderGroupCount: (id: string) => `/groups/${encodeURIComponent(id)}/transitiveMembers/microsoft.graph.user/$count`,
  /** How many enabled users the tenant has (an advanced query: ConsistencyLevel: eventual; text/plain). */
  enabledUserCount: `/users/$count?$filter=${encodeURIComponent('accountEnabled eq true')}`,
  /** Enabled users whose UPN starts with `prefix`, each with its manager's id: one partition of the tenant-wide manager listing (100 a page, as `$expand` allows). */
  enabledUsersWithManagers: (prefix: string) =>
    `/users?$filter=${encodeURIComponent(`accountEnabled eq true and startswith(userPrincipalName,'${encodedQuote(prefix)}')`)}&$select=id&$expand=manager($select=id)&$top=999`,
  /** The groups nested (at any depth) under the group: the tree incremental sync watches. */
  groupsUnderGroup: (id: string) => `/groups/${encodeURIComponent(id)}/transitiveMembers/microsoft.graph.group?$count=true&$top=999&$select=id,displayName`,
};

/**
 * Casts on membership (`/microsoft.graph.user`, `/microsoft.graph.group`) are advanced
 * queries: `ConsistencyLevel: eventual` with `$count=true`
 * (https://learn.microsoft.com/graph/aad-advanced-queries). nextLinks keep `$count` but not
 * the header, so it goes with every page.
 */
export const castHeaders = { ConsistencyLevel: 'eventual' } as const;
