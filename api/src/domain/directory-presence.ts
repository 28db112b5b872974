import type { DirectoryUser } from './directory-user';
import { mapDirectoryUser, usableEmail } from './employee';
import { isExcluded, parseExclusionList } from './exclusions';
import type { GroupSummary, SyncScope } from './scope';

/**
 * "Someone missing?": why a person is or is not in the directory, decided from what Graph
 * says about them, the scope rules and what the directory holds. Pure: the caller reads
 * Graph and the store, this decides.
 */
export type PresenceVerdict =
  | 'synced'
  | 'not_synced_yet'
  | 'not_found'
  | 'several_matches'
  | 'disabled'
  | 'guest_excluded'
  | 'no_usable_email'
  | 'excluded'
  | 'outside_scope';

/** What the directory holds about the person, if anything. */
export interface StoredPresence {
  employeeId: string;
  status: 'active' | 'inactive';
  lastSyncedAt: string | null;
  deactivatedAt: string | null;
  /** The newest change the syncs made to the record (created, updated, deactivated, reactivated). */
  lastChange: { at: string; runId: string | null; action: string } | null;
}

export interface PresenceConfiguration {
  scope: SyncScope;
  includeGuests: boolean;
  exclusions: readonly string[];
}

export type CandidateChoice = { kind: 'none' } | { kind: 'one'; user: DirectoryUser } | { kind: 'several'; users: DirectoryUser[] };

const lower = (text: string | null | undefined) => (text ?? '').toLowerCase();

/**
 * The person an admin meant. An address names one account when its mail or UPN is exactly
 * it; a name names one when exactly one display name is exactly it, or only one person starts so.
 */
export function chooseCandidate(query: string, candidates: readonly DirectoryUser[]): CandidateChoice {
  const wanted = query.trim().toLowerCase();
  const unique = [...new Map(candidates.map((c) => [c.id, c])).values()];
  if (unique.length === 0) return { kind: 'none' };
  const exact = wanted.includes('@')
    ? unique.filter((c) => lower(c.mail) === wanted || lower(c.userPrincipalName) === wanted)
    : unique.filter((c) => lower(c.displayName) === wanted);
  if (exact.length === 1) return { kind: 'one', user: exact[0]! };
  if (unique.length === 1) return { kind: 'one', user: unique[0]! };
  return { kind: 'several', users: exact.length > 1 ? exact : unique };
}

/** Whether the scope's groups can matter for this person: only one eligible person in a group scope needs their groups read. */
export function needsGroupsOf(choice: CandidateChoice, configuration: PresenceConfiguration): choice is { kind: 'one'; user: DirectoryUser } {
  if (choice.kind !== 'one' || configuration.scope.kind === 'all') return false;
  return mapDirectoryUser(choice.user, { includeGuests: configuration.includeGuests, exclusions: parseExclusionList(configuration.exclusions) }).kind === 'employee';
}

export interface PresenceFacts {
  query: string;
  choice: CandidateChoice;
  configuration: PresenceConfiguration;
  /** The scope's root groups; null for the all-users scope. */
  scopeGroups: readonly GroupSummary[] | null;
  /** Every group the person is in, nested ones included; null when not read (see needsGroupsOf). */
  groupsOfPerson: readonly GroupSummary[] | null;
  stored: StoredPresence | null;
}

export interface PresenceExplanation {
  verdict: PresenceVerdict;
  /** One sentence an admin can act on. */
  message: string;
  /** outside_scope: the groups the person is in; in a group scope, the scope groups that hold them. */
  groups: GroupSummary[];
  /** excluded: the exclusion entry that matches. */
  exclusion: string | null;
  scopeDescription: string;
}

function groupNames(groups: readonly GroupSummary[]): string {
  const names = groups.map((g) => `"${g.displayName ?? g.id}"`);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

export function describePresenceScope(scope: SyncScope, scopeGroups: readonly GroupSummary[] | null): string {
  if (scope.kind === 'all') return 'all users in the tenant';
  if (scope.kind === 'group_name') return `members of the group "${scope.groupName}" (nested groups included)`;
  return `members of ${scope.groupIds.length === 1 ? 'the group' : 'the groups'} ${scopeGroups && scopeGroups.length > 0 ? groupNames(scopeGroups).replace(/ or /, ' and ') : scope.groupIds.join(', ')} (nested groups included)`;
}

function matchingExclusion(email: string, entries: readonly string[]): string | null {
  return entries.find((entry) => isExcluded(email, parseExclusionList([entry]))) ?? null;
}

export function explainPresence(facts: PresenceFacts): PresenceExplanation {
  const { choice, configuration, stored } = facts;
  const scopeDescription = describePresenceScope(configuration.scope, facts.scopeGroups);
  const answer = (verdict: PresenceVerdict, message: string, extra: Partial<Pick<PresenceExplanation, 'groups' | 'exclusion'>> = {}): PresenceExplanation => ({
    verdict,
    message,
    groups: extra.groups ?? [],
    exclusion: extra.exclusion ?? null,
    scopeDescription,
  });
  if (choice.kind === 'none')
    return answer('not_found', `Nobody in your Microsoft 365 tenant matches "${facts.query.trim()}". Check the spelling, or search by their full email address; a person deleted in Entra ID is no longer found.`);
  if (choice.kind === 'several')
    return answer('several_matches', `${choice.users.length} people match "${facts.query.trim()}". Search by email address to see why one of them is or is not in the directory.`);

  const user = choice.user;
  const name = user.displayName ?? user.userPrincipalName ?? user.id;
  const stillListed = stored?.status === 'active' ? ' They are still listed as active until the next sync deactivates them.' : '';
  const mapped = mapDirectoryUser(user, { includeGuests: configuration.includeGuests, exclusions: parseExclusionList(configuration.exclusions) });
  if (mapped.kind === 'skipped') {
    switch (mapped.reason) {
      case 'disabled':
        return answer('disabled', `${name}'s account is disabled in Entra ID. Only active users are synchronized: enable the account to bring them in.${stillListed}`);
      case 'guest_excluded':
        return answer('guest_excluded', `${name} is a guest, and guests are not synced. Turn on "Include guests" in the sync options to bring them in.${stillListed}`);
      case 'no_usable_email':
        return answer('no_usable_email', `${name} has no mailbox address and no usable user principal name, so the directory cannot reach them. Give them a mail address in Entra ID.${stillListed}`);
      case 'excluded': {
        const email = usableEmail(user) ?? '';
        const entry = matchingExclusion(email, configuration.exclusions);
        return answer('excluded', `${name} (${email}) is on your exclusion list${entry ? ` ("${entry}")` : ''}. Remove that entry to sync them.${stillListed}`, { exclusion: entry });
      }
    }
  }

  if (configuration.scope.kind !== 'all') {
    const roots = facts.scopeGroups ?? [];
    const personGroups = facts.groupsOfPerson ?? [];
    const holding = roots.filter((root) => personGroups.some((g) => g.id === root.id));
    if (holding.length === 0) {
      const theirs = personGroups.length === 0 ? 'They are in no group.' : `They are in ${groupNames(personGroups)}.`;
      return answer('outside_scope', `${name} is not in the sync scope (${scopeDescription}). ${theirs} Add them (or one of their groups) to a scope group, or widen the scope.${stillListed}`, { groups: [...personGroups] });
    }
    if (stored?.status === 'active') return answer('synced', syncedMessage(name, stored), { groups: holding });
    return answer('not_synced_yet', `${name} is in the sync scope (through ${groupNames(holding)}) but ${pendingText(stored)}`, { groups: holding });
  }
  if (stored?.status === 'active') return answer('synced', syncedMessage(name, stored));
  return answer('not_synced_yet', `${name} is in the sync scope but ${pendingText(stored)}`);
}

function pendingText(stored: StoredPresence | null): string {
  return stored?.status === 'inactive'
    ? 'is inactive in the directory: the next sync reactivates the same record. Run a sync now if you cannot wait.'
    : 'is not in the directory yet: the next sync adds them. Run a sync now if you cannot wait.';
}

function syncedMessage(name: string, stored: StoredPresence): string {
  // A sentence for a person: minutes in UTC, no run ids (the answer's `employee.lastChange` carries the run).
  const at = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const when = stored.lastSyncedAt ? ` Last synced ${at(stored.lastSyncedAt)}.` : '';
  const change = stored.lastChange ? ` The last change a sync made: ${stored.lastChange.action}, ${at(stored.lastChange.at)}.` : '';
  return `${name} is in the directory and active.${when}${change}`;
}
