import { type DirectoryUser, EntraIdSet, type GroupSummary, type GroupTree, groupTreeClosure, resolveNamedGroup } from '../domain';
import { GraphError, type GraphPage } from '../graph/graph-reader';
import { castHeaders, graphQueries } from './graph-queries';
import { directMemberSchema, groupSummarySchema, isMicrosoft365Group, parseGraphItem, parseUser, withManagerAsRead } from './graph-payloads';
import { MemberManagers } from './member-managers';
import { type DeltaStateDraft, type SyncRound, Turns, deltaLinkOf, eachConcurrently, graphCount, readAhead, rereadUsers, scopeKeyOf, throwIfCancelled } from './sync-round';
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
 * Every UPN starts with one of the letters or rare initials: Entra allows letters, digits and
 * ' . - _ ! # ^ ~ in the user name of a UPN, a period not first ("Microsoft Entra password
 * policies", username policies: https://learn.microsoft.com/entra/identity/authentication/concept-sspr-policy);
 * `startswith` is case-insensitive. The count check in readAllUsers catches a tenant where this is not so.
 */
const upnLetters = [...'abcdefghijklmnopqrstuvwxyz'];
/** Initials few UPNs start with: always one partition together. */
const rareInitials = [...'0123456789', "'", '-', '_', '!', '#', '^', '~'];
/** About this many users a partition: enough pages that its last, partial one costs little. */
const usersPerPartition = 4_000;

/**
 * The partitions of a tenant of `users`: the letters spread over as many partitions as the
 * size warrants (at least as many as are read side by side, at most one a letter), and one
 * for the rare initials. Every UPN initial is in exactly one partition.
 */
export function upnPartitions(users: number): string[][] {
  const count = Math.min(upnLetters.length, Math.max(partitionsInFlight, Math.ceil(users / usersPerPartition)));
  const partitions: string[][] = Array.from({ length: count }, () => []);
  upnLetters.forEach((letter, i) => partitions[i % count]!.push(letter));
  return [...partitions, rareInitials];
}

/** From this many users on, the listing is read in partitions side by side; below, one listing is as quick and costs fewer requests. */
const partitionFrom = 2_000;
/** Partitions read side by side, each with its next page in flight; the reader's slots bound what is on the wire. */
export const partitionsInFlight = 8;
/** Groups whose members (or nested groups) are read side by side. */
const groupsInFlight = 4;

type PageOfUsers = GraphPage<unknown>;

/**
 * Reads the whole scope and writes what changed, page by page. Returns who is in it;
 * when it returns, the enumeration was complete and deactivations are safe to plan.
 * Pages read side by side (partitions, groups) are applied one at a time, in turns.
 */
export async function enumerateScope(round: SyncRound, groups: ScopeGroup[] | null): Promise<{ scopeMemberIds: string[] | null; groupTree: GroupTree | null }> {
  const { reader, progress, changes, signal } = round;
  progress.phase = 'reading_users';
  const turns = new Turns();
  // Every user a full enumeration applies has its manager as read now, so a full sync sets
  // (or clears) managers in every scope, the same way.
  const apply = (page: PageOfUsers, addManagers: (users: DirectoryUser[], count: number | undefined) => DirectoryUser[] | Promise<DirectoryUser[]>, members?: EntraIdSet) =>
    turns.take(async () => {
      throwIfCancelled(signal);
      const users = page.value.map(parseUser);
      progress.pages += 1;
      progress.usersRead += users.length;
      if (members) for (const user of users) members.add(user.id);
      await changes.applyUsers(await addManagers(users, page.count), progress);
      return users.length;
    });
  const readUsers = async (pages: AsyncIterable<PageOfUsers>, addManagers: Parameters<typeof apply>[1], members?: EntraIdSet): Promise<number> => {
    let read = 0;
    for await (const page of readAhead(pages, signal)) {
      const applied = await apply(page, addManagers, members);
      read += applied;
    }
    return read;
  };
  if (groups === null) {
    // The listing expands the manager itself.
    const partitioned = await readAllUsers(round, (pages) => readUsers(pages, (users) => users.map((user) => withManagerAsRead(user))));
    throwIfCancelled(signal);
    await changes.planDeactivationOfAbsent();
    if (partitioned) await confirmAbsentees(round);
    return { scopeMemberIds: null, groupTree: null };
  }
  const members = new EntraIdSet();
  // The first page's @odata.count (the cast asks $count=true) tells how many members there are, which decides how their managers are read.
  const managers = new MemberManagers(round, groups.length > 1 ? await membersOfAll(round, groups) : 0);
  await eachConcurrently(groups, groupsInFlight, signal, async (group, stop) => {
    await readUsers(reader.pages<unknown>(graphQueries.usersUnderGroup(group.id), { signal: stop, headers: castHeaders }), (users, count) => managers.add(users, count), members);
  });
  progress.phase = 'reading_groups';
  const tree: GroupTree = { roots: groups.map((g) => g.id), children: {}, nested: {}, names: {}, holders: {} };
  for (const group of groups) tree.names![group.id] = group.displayName;
  await eachConcurrently(groups, groupsInFlight, signal, async (group) => {
    tree.children[group.id] = isMicrosoft365Group(group) ? [] : await nestedGroups(round, group.id, tree);
  });
  await progress.record(round.store.runs, changes.counts);
  await recordDirectMembership(round, tree, members);
  throwIfCancelled(signal);
  await changes.planDeactivationOfAbsent();
  return { scopeMemberIds: [...members], groupTree: tree };
}

/**
 * How many users the scope's groups hold together (overlaps counted twice: an estimate of cost),
 * one count request a group, before any is read: the way members' managers are read is decided
 * on the first page, which holds one group's count only. 0 when Graph will not count.
 */
async function membersOfAll(round: SyncRound, groups: readonly ScopeGroup[]): Promise<number> {
  let total = 0;
  await eachConcurrently(groups, groupsInFlight, round.signal, async (group, stop) => {
    // Counted first, then added: `total += await …` would add to the total as it was before the wait.
    const members = await graphCount(round, graphQueries.usersUnderGroupCount(group.id), stop);
    total += members ?? 0;
  });
  return total;
}

/**
 * All users of the tenant. A tenant that fits on one page costs one request. A larger one
 * is counted (one `/users/$count` request); from `partitionFrom` users on, it is read in
 * partitions by the UPN's first character (see upnPartitions), several side by side, each with its next page
 * in flight — `$expand` holds a page to 100 users, so a 100,000-user tenant is a thousand
 * pages whichever way, and side by side they take a fraction of the time. The users the
 * partitions brought are checked against the count; when fewer came than counted, the
 * plain listing is read as well, so no one is left out (and then deactivated).
 */
async function readAllUsers(round: SyncRound, readUsers: (pages: AsyncIterable<PageOfUsers>) => Promise<number>): Promise<boolean> {
  const { reader, signal } = round;
  const listing = reader.pages<unknown>(graphQueries.allUsers, { signal })[Symbol.asyncIterator]();
  const first = await listing.next();
  if (first.done) return false;
  const rest: AsyncIterable<PageOfUsers> = { [Symbol.asyncIterator]: () => listing };
  const firstOnly: AsyncIterable<PageOfUsers> = (async function* () {
    yield first.value;
  })();
  await readUsers(firstOnly);
  if (first.value.nextLink === undefined) return false;
  const counted = await userCount(round);
  if (counted === undefined || counted < partitionFrom) {
    await readUsers(rest);
    return false;
  }
  await listing.return?.();
  let read = 0;
  await eachConcurrently(upnPartitions(counted), partitionsInFlight, signal, async (initials, stop) => {
    // Read first, then added: `read += await …` would add to the total as it was before the wait.
    const partition = await readUsers(reader.pages<unknown>(graphQueries.usersStartingWith(initials), { signal: stop }));
    read += partition;
  });
  if (read < counted) {
    await readUsers(reader.pages<unknown>(graphQueries.allUsers, { signal }));
    return false;
  }
  return true;
}

/**
 * After a partitioned listing, the people it did not bring are asked about one by one ($batch)
 * before they leave: the count it was checked against is eventually consistent, and a UPN
 * renamed during the run from a partition not yet read to one already read is in neither.
 * Whoever Graph still has is compared as read; only those it no longer has (404) leave.
 */
async function confirmAbsentees(round: SyncRound): Promise<void> {
  await rereadUsers(round, round.changes.absentees);
}

/** How many users the tenant has, or undefined when Graph would not say (the listing is then read as one). */
async function userCount(round: SyncRound): Promise<number | undefined> {
  try {
    const text = await round.reader.get<unknown>(graphQueries.userCount, { signal: round.signal, headers: { ConsistencyLevel: 'eventual' } });
    const count = Number(text);
    return Number.isFinite(count) ? count : undefined;
  } catch (error) {
    if (error instanceof GraphError && error.status !== 0 && error.status !== 401) return undefined;
    throw error;
  }
}

/**
 * Who holds whom directly in the tree — one member list per group — so the tab can show
 * through which nested groups someone is in scope. Only members of the scope are kept.
 */
async function recordDirectMembership(round: SyncRound, tree: GroupTree, members: EntraIdSet): Promise<void> {
  const { reader, progress, signal } = round;
  await eachConcurrently([...groupTreeClosure(tree)], groupsInFlight, signal, async (groupId, stop) => {
    const nested: string[] = [];
    for await (const page of reader.pages<unknown>(graphQueries.directMembers(groupId), { signal: stop })) {
      progress.pages += 1;
      for (const item of page.value) {
        const member = parseGraphItem(directMemberSchema, item, 'a group member');
        const type = member['@odata.type']?.toLowerCase();
        if (type === '#microsoft.graph.group') nested.push(member.id);
        else if (type === '#microsoft.graph.user' && members.has(member.id)) (tree.holders![member.id] ??= []).push(groupId);
      }
    }
    tree.nested![groupId] = nested;
  });
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
