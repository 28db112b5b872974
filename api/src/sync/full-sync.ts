import { type DirectoryUser, type GroupSummary, type GroupTree, groupTreeClosure, resolveNamedGroup } from '../domain';
import { GraphError } from '../graph/graph-reader';
import { castHeaders, graphQueries } from './graph-queries';
import { directMemberSchema, groupSummarySchema, isMicrosoft365Group, parseGraphItem, parseUser, withManagerAsRead } from './graph-payloads';
import { MemberManagers } from './member-managers';
import { type DeltaStateDraft, type SyncRound, deltaLinkOf, readAhead, scopeKeyOf, throwIfCancelled } from './sync-round';
import { SyncError } from './sync-error';

/** A scope group, with its type: a Microsoft 365 group has no nested groups. */
export type ScopeGroup = GroupSummary & { groupTypes?: string[] | null | undefined };

/** The groups whose (transitive) members are the scope; null for all users. */
export async function resolveScopeGroups(round: SyncRound): Promise<ScopeGroup[] | null> {
  const { scope } = round.configuration;
  round.progress.phase = 'resolving_scope';
  if (scope.kind === 'all') return null;
  if (scope.kind === 'group_name') {
    const candidates: ScopeGroup[] = [];
    for await (const page of round.reader.pages<unknown>(graphQueries.groupsNamed(scope.groupName), { signal: round.signal })) {
      for (const item of page.value) candidates.push(parseGraphItem(groupSummarySchema, item, 'a group'));
    }
    const chosen = resolveNamedGroup(scope.groupName, candidates);
    return [candidates.find((g) => g.id === chosen.id) ?? chosen];
  }
  const groups: ScopeGroup[] = [];
  for (const id of scope.groupIds) {
    try {
      groups.push(parseGraphItem(groupSummarySchema, await round.reader.get<unknown>(graphQueries.group(id), { signal: round.signal }), 'a group'));
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) {
        throw new SyncError('SCOPE_GROUP_NOT_FOUND', `The group ${id} chosen for the sync scope no longer exists in the tenant. Choose the groups again, then sync.`);
      }
      throw error;
    }
  }
  return groups;
}

/** Takes the "from now" delta links before reading anything, so changes made during the listing come in the next round. */
export async function takeDeltaLinks(round: SyncRound, withGroups: boolean): Promise<{ usersDeltaLink: string; groupsDeltaLink: string | null }> {
  round.progress.phase = 'taking_delta_links';
  const usersDeltaLink = await deltaLinkOf(round.reader, graphQueries.usersDeltaFromNow, round);
  const groupsDeltaLink = withGroups ? await deltaLinkOf(round.reader, graphQueries.groupsDeltaFromNow, round) : null;
  await round.progress.record(round.store.runs, round.changes.counts);
  return { usersDeltaLink, groupsDeltaLink };
}

/**
 * Reads the whole scope and writes what changed, page by page. Returns who is in it;
 * when it returns, the enumeration was complete and deactivations are safe to plan.
 */
export async function enumerateScope(round: SyncRound, groups: ScopeGroup[] | null): Promise<{ scopeMemberIds: string[] | null; groupTree: GroupTree | null }> {
  const { reader, progress, changes, signal } = round;
  progress.phase = 'reading_users';
  // Every user a full enumeration applies has its manager as read now, so a full sync sets
  // (or clears) managers in every scope, the same way.
  const readUsers = async (path: string, addManagers: (users: DirectoryUser[], count: number | undefined) => DirectoryUser[] | Promise<DirectoryUser[]>, members?: Set<string>, headers?: Record<string, string>) => {
    for await (const page of readAhead(reader.pages<unknown>(path, { signal, ...(headers ? { headers } : {}) }), signal)) {
      const users = page.value.map(parseUser);
      progress.pages += 1;
      progress.usersRead += users.length;
      if (members) for (const user of users) members.add(user.id);
      await changes.applyUsers(await addManagers(users, page.count), progress);
    }
  };
  if (groups === null) {
    // The listing expands the manager itself.
    await readUsers(graphQueries.allUsers, (users) => users.map((user) => withManagerAsRead(user)));
    throwIfCancelled(signal);
    changes.planDeactivationOfAbsent();
    return { scopeMemberIds: null, groupTree: null };
  }
  const members = new Set<string>();
  // The first page's @odata.count (the cast asks $count=true) tells how many members there are, which decides how their managers are read.
  const managers = new MemberManagers(round);
  for (const group of groups) await readUsers(graphQueries.usersUnderGroup(group.id), (users, count) => managers.add(users, count), members, castHeaders);
  progress.phase = 'reading_groups';
  const tree: GroupTree = { roots: groups.map((g) => g.id), children: {}, nested: {}, names: {}, holders: {} };
  for (const group of groups) {
    tree.names![group.id] = group.displayName;
    tree.children[group.id] = isMicrosoft365Group(group) ? [] : await nestedGroups(round, group.id, tree);
    await progress.record(round.store.runs, changes.counts);
  }
  await recordDirectMembership(round, tree, members);
  throwIfCancelled(signal);
  changes.planDeactivationOfAbsent();
  return { scopeMemberIds: [...members], groupTree: tree };
}

/**
 * Who holds whom directly in the tree — one member list per group — so the tab can show
 * through which nested groups someone is in scope. Only members of the scope are kept.
 */
async function recordDirectMembership(round: SyncRound, tree: GroupTree, members: ReadonlySet<string>): Promise<void> {
  const { reader, progress, signal } = round;
  for (const groupId of groupTreeClosure(tree)) {
    const nested: string[] = [];
    for await (const page of reader.pages<unknown>(graphQueries.directMembers(groupId), { signal })) {
      progress.pages += 1;
      for (const item of page.value) {
        const member = parseGraphItem(directMemberSchema, item, 'a group member');
        const type = member['@odata.type']?.toLowerCase();
        if (type === '#microsoft.graph.group') nested.push(member.id);
        else if (type === '#microsoft.graph.user' && members.has(member.id)) (tree.holders![member.id] ??= []).push(groupId);
      }
    }
    tree.nested![groupId] = nested;
  }
  await progress.record(round.store.runs, round.changes.counts);
}

/**
 * The groups nested (at any depth) under a security group. Graph refuses the group cast on
 * a Microsoft 365 group (400 Request_UnsupportedQuery); a group whose type we were not told
 * and that Graph refuses that way has no nested groups either.
 */
async function nestedGroups(round: SyncRound, groupId: string, tree: GroupTree): Promise<string[]> {
  const nested: string[] = [];
  try {
    for await (const page of round.reader.pages<unknown>(graphQueries.groupsUnderGroup(groupId), { signal: round.signal, headers: castHeaders })) {
      round.progress.pages += 1;
      for (const item of page.value) {
        const summary = parseGraphItem(groupSummarySchema, item, 'a group');
        nested.push(summary.id);
        tree.names![summary.id] = summary.displayName;
      }
    }
  } catch (error) {
    if (error instanceof GraphError && error.status === 400 && error.code === 'Request_UnsupportedQuery' && nested.length === 0) return [];
    throw error;
  }
  return nested;
}

/** A full sync: delta links first, then the complete listing of the scope. */
export async function fullSync(round: SyncRound): Promise<DeltaStateDraft> {
  const groups = await resolveScopeGroups(round);
  const links = await takeDeltaLinks(round, groups !== null);
  const { scopeMemberIds, groupTree } = await enumerateScope(round, groups);
  return { scopeKey: scopeKeyOf(round.configuration), ...links, scopeMemberIds, groupTree };
}
