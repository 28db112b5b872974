import { z } from 'zod';
import { DomainError } from './domain-error';

/** Who is synced: everyone, the members of the group with a given name, or of chosen groups. Membership is always transitive. */
export const syncScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('group_name'), groupName: z.string().trim().min(1) }),
  z.object({ kind: z.literal('groups'), groupIds: z.array(z.string().trim().min(1)).min(1) }),
]);

export type SyncScope = z.output<typeof syncScopeSchema>;

export interface GroupSummary {
  id: string;
  displayName: string | null;
}

/**
 * The one group carrying the scope's name. Display names are not unique in Entra, so
 * several matches are refused rather than guessed: the admin renames or picks by id.
 */
export function resolveNamedGroup(name: string, candidates: readonly GroupSummary[]): GroupSummary {
  const matches = candidates.filter((g) => (g.displayName ?? '').toLowerCase() === name.toLowerCase());
  if (matches.length === 0) {
    throw new DomainError('SCOPE_GROUP_NOT_FOUND', `No group named "${name}" exists in the tenant. Create it in Entra ID (or choose the groups by id), then sync again.`);
  }
  if (matches.length > 1) {
    const named = matches.map((g) => `${g.displayName ?? '(no name)'} (${g.id})`).join(', ');
    throw new DomainError(
      'SCOPE_GROUP_AMBIGUOUS',
      `${matches.length} groups are named "${name}": ${named}. Rename all but one in Entra ID, or choose the group by id, then sync again.`,
    );
  }
  return matches[0]!;
}

/** The scope in the admins' words (the command line prints it). */
export function describeScope(scope: SyncScope): string {
  switch (scope.kind) {
    case 'all':
      return 'all users';
    case 'group_name':
      return `members of the group named "${scope.groupName}"`;
    case 'groups':
      return `members of ${scope.groupIds.length === 1 ? 'group' : 'groups'} ${scope.groupIds.join(', ')}`;
  }
}
