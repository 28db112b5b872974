import type { Kysely } from 'kysely';
import { z } from 'zod';
import { groupTreeSchema, type GroupTree } from '../domain';
import type { Database } from './schema';

/** Where the last complete sync left off: the delta links to continue from, and the group tree they cover. */
export interface DeltaState {
  scopeKey: string;
  usersDeltaLink: string | null;
  groupsDeltaLink: string | null;
  groupTree: GroupTree | null;
  /** Every user in a group scope (employees and skipped alike); null for the all-users scope. */
  scopeMemberIds: string[] | null;
  updatedAt: string;
}

export function deltaStateRepository(db: Kysely<Database>, now: () => string) {
  return {
    async get(organizationId: string): Promise<DeltaState | undefined> {
      const row = await db.selectFrom('delta_states').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
      if (!row) return undefined;
      return {
        scopeKey: row.scope_key,
        usersDeltaLink: row.users_delta_link,
        groupsDeltaLink: row.groups_delta_link,
        groupTree: row.group_tree === null ? null : groupTreeSchema.parse(JSON.parse(row.group_tree)),
        scopeMemberIds: row.scope_member_ids === null ? null : z.array(z.string()).parse(JSON.parse(row.scope_member_ids)),
        updatedAt: row.updated_at,
      };
    },
    async save(organizationId: string, state: Omit<DeltaState, 'updatedAt'>): Promise<void> {
      const row = {
        scope_key: state.scopeKey,
        users_delta_link: state.usersDeltaLink,
        groups_delta_link: state.groupsDeltaLink,
        group_tree: state.groupTree === null ? null : JSON.stringify(state.groupTree),
        scope_member_ids: state.scopeMemberIds === null ? null : JSON.stringify(state.scopeMemberIds),
        updated_at: now(),
      };
      await db
        .insertInto('delta_states')
        .values({ organization_id: organizationId, ...row })
        .onConflict((oc) => oc.column('organization_id').doUpdateSet(row))
        .execute();
    },
    /** Forgets the links: the next sync is a full one. */
    async clear(organizationId: string): Promise<void> {
      await db.deleteFrom('delta_states').where('organization_id', '=', organizationId).execute();
    },
  };
}

