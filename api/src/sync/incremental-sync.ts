import { type DirectoryUser, groupTreeClosure, rootsReaching } from '../domain';
import type { DeltaState } from '../store';
import { enumerateScope, resolveScopeGroups } from './full-sync';
import { type GroupDelta, groupDeltaSchema, parseGraphItem, parseUser } from './graph-payloads';
import { type DeltaStateDraft, type SyncRound, readAhead, throwIfCancelled } from './sync-round';
import { SyncError } from './sync-error';
import { rereadReportsOfLeavingManagers, rereadReportsOfReturningManagers } from './manager-links';

// Users are applied in slices of a listing page's size, so progress and transactions stay alike.
const applySlice = 999;

/**
 * Reads a delta round to its end; `onPage` sees each page's items while the next page is on
 * the wire. The read waits for it: were the database slower than Graph, the pages would wait
 * rather than pile up in memory.
 */
async function readDelta<T>(round: SyncRound, link: string, parse: (item: unknown) => T, onPage?: (items: T[]) => Promise<void>): Promise<{ items: T[]; deltaLink: string }> {
  const items: T[] = [];
  let deltaLink: string | undefined;
  for await (const page of readAhead(round.reader.pages<unknown>(link, { signal: round.signal }), round.signal)) {
    const parsed = page.value.map(parse);
    for (const item of parsed) items.push(item);
    await onPage?.(parsed);
    round.progress.pages += 1;
    if (page.deltaLink) deltaLink = page.deltaLink;
    // Reading writes nothing: listeners hear of every page, the run record is written once a
    // second (a commit a page cost PostgreSQL ~3.5 ms each, 180 ms of a 51-page round).
    await round.progress.pageRead(round.store.runs, round.changes.counts);
  }
  if (!deltaLink) throw new SyncError('GRAPH_DELTA_LINK_MISSING', 'Microsoft Graph ended a delta round without a delta link; try the sync again.');
  return { items, deltaLink };
}

/**
 * An incremental sync: what changed since the saved delta links. Throws
 * DeltaTokenExpiredError when Graph no longer accepts them (the caller starts over in full).
 */
export async function incrementalSync(round: SyncRound, state: DeltaState): Promise<DeltaStateDraft> {
  try {
    return await incrementalRound(round, state);
  } finally {
    round.changes.forgetLookedUpAhead();
  }
}

async function incrementalRound(round: SyncRound, state: DeltaState): Promise<DeltaStateDraft> {
  const { progress, changes, configuration } = round;
  progress.phase = 'reading_changes';
  const members = state.scopeMemberIds ? new Set(state.scopeMemberIds) : null;
  const inScope = (id: string) => !members || members.has(id);
  // The users to apply are looked up while the round is still read: a delta page's users mostly changed.
  const users = await readDelta(round, state.usersDeltaLink!, parseUser, (page) => changes.lookUpAhead(page.filter((user) => !user['@removed'] && inScope(user.id)).map((user) => user.id)));
  progress.usersRead += users.items.length;
  const changedUsers = new Map<string, DirectoryUser>();
  // Order is not guaranteed and replays happen: the last word on each user wins.
  for (const user of users.items) changedUsers.set(user.id, user);

  let groupsDeltaLink = state.groupsDeltaLink;
  const next: DeltaStateDraft = { ...state, usersDeltaLink: users.deltaLink };
  if (configuration.scope.kind !== 'all') {
    const tree = state.groupTree ?? { roots: [], children: {} };
    const groups = await readDelta(round, state.groupsDeltaLink!, (item) => parseGraphItem(groupDeltaSchema, item, 'a group'));
    groupsDeltaLink = groups.deltaLink;
    if (membershipMayHaveChanged(groups.items, tree, configuration.scope.kind === 'group_name' ? configuration.scope.groupName : null)) {
      // Someone joined or left somewhere in the tree: read the scope again in full. That
      // enumeration is complete, so it may deactivate; the new links were taken before it.
      const roots = await resolveScopeGroups(round);
      const enumerated = await enumerateScope(round, roots);
      return { ...next, groupsDeltaLink, ...enumerated };
    }
  }

  progress.phase = 'applying';
  // Managers who left, in the scope or not (their reports may be in it). First, so a report's
  // own delta entry, which may still name the deleted manager, is the one set aside.
  const leaving = [...changedUsers.values()].filter((user) => user['@removed']).map((user) => user.id);
  await rereadReportsOfLeavingManagers(round, leaving, inScope);
  const present: DirectoryUser[] = [];
  const removals: Array<{ entraObjectId: string; reason: string }> = [];
  const outsideScope: DirectoryUser[] = [];
  for (const user of changedUsers.values()) {
    if (!inScope(user.id)) {
      if (!user['@removed']) outsideScope.push(user);
      continue;
    }
    if (user['@removed']) removals.push({ entraObjectId: user.id, reason: user['@removed'].reason === 'deleted' ? 'deleted in Entra ID' : 'deleted in Entra ID (restorable)' });
    else present.push(user);
  }
  await changes.planRemovals(removals);
  for (let i = 0; i < present.length; i += applySlice) {
    throwIfCancelled(round.signal);
    await changes.applyUsers(present.slice(i, i + applySlice), progress);
  }
  // Managers who came back: those this run reactivated, and former employees outside the scope now.
  await rereadReportsOfReturningManagers(round, [...changes.reactivatedIds, ...(await formerEmployees(round, outsideScope))], inScope);
  if (present.length === 0) await progress.record(round.store.runs, changes.counts);
  return { ...next, groupsDeltaLink };
}

/** Entra ids among users outside the scope that the directory holds (inactive): they may still manage people in it. */
async function formerEmployees(round: SyncRound, users: readonly DirectoryUser[]): Promise<string[]> {
  const former: string[] = [];
  for (let i = 0; i < users.length; i += applySlice) {
    const stored = await round.store.employees.storedByEntraIds(round.configuration.organizationId, users.slice(i, i + applySlice).map((user) => user.id));
    for (const employee of stored.values()) if (employee.status === 'inactive') former.push(employee.entraObjectId);
  }
  return former;
}

function isUserOrGroupLink(link: { '@odata.type'?: string | undefined }): boolean {
  const type = link['@odata.type']?.toLowerCase();
  return type === undefined || type === '#microsoft.graph.user' || type === '#microsoft.graph.group';
}

function membershipMayHaveChanged(groups: readonly GroupDelta[], tree: DeltaState['groupTree'] & object, scopeGroupName: string | null): boolean {
  const tracked = groupTreeClosure(tree);
  // Devices, contacts and service principals joining or leaving change nobody's scope.
  const touched = groups.filter((g) => tracked.has(g.id) && (g['@removed'] !== undefined || (g['members@delta'] ?? []).some(isUserOrGroupLink)));
  if (touched.length > 0 && rootsReaching(tree, touched.map((g) => g.id)).length > 0) return true;
  if (scopeGroupName === null) return false;
  // A group renamed to (or away from) the scope's name changes which group the scope is.
  const name = scopeGroupName.toLowerCase();
  return groups.some((g) => (typeof g.displayName === 'string' && g.displayName.toLowerCase() === name && !tree.roots.includes(g.id)) || (tree.roots.includes(g.id) && typeof g.displayName === 'string' && g.displayName.toLowerCase() !== name));
}
