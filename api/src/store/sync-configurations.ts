import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type DeletionGuard, defaultDeletionGuard, deletionGuardSchema, type SyncScope, syncScopeSchema } from '../domain';
import type { Database } from './schema';

export const syncScheduleSchema = z.object({ intervalMinutes: z.number().int().min(5).max(24 * 60) }).nullable();

/** How an organization syncs: who, which filters, how often, and how careful with deactivations. */
export interface SyncConfiguration {
  organizationId: string;
  scope: SyncScope;
  includeGuests: boolean;
  /** Email addresses and domains never synced, as the admin wrote them. */
  exclusions: string[];
  deletionGuard: DeletionGuard;
  schedule: z.output<typeof syncScheduleSchema>;
  updatedAt: string | null;
}

export type SyncConfigurationChange = Partial<Omit<SyncConfiguration, 'organizationId' | 'updatedAt'>>;

const defaults = (organizationId: string): SyncConfiguration => ({
  organizationId,
  scope: { kind: 'all' },
  includeGuests: false,
  exclusions: [],
  deletionGuard: defaultDeletionGuard,
  schedule: null,
  updatedAt: null,
});

export function syncConfigurationRepository(db: Kysely<Database>, now: () => string) {
  const get = async (organizationId: string): Promise<SyncConfiguration> => {
    const row = await db.selectFrom('sync_configurations').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
    if (!row) return defaults(organizationId);
    return {
      organizationId,
      scope: syncScopeSchema.parse(JSON.parse(row.scope)),
      includeGuests: row.include_guests === 1,
      exclusions: z.array(z.string()).parse(JSON.parse(row.exclusions)),
      deletionGuard: deletionGuardSchema.parse(JSON.parse(row.deletion_guard)),
      schedule: row.schedule === null ? null : syncScheduleSchema.parse(JSON.parse(row.schedule)),
      updatedAt: row.updated_at,
    };
  };
  return {
    /** The saved configuration, or the defaults (all users, no guests, default guard) when none was saved. */
    get,
    async save(organizationId: string, change: SyncConfigurationChange): Promise<SyncConfiguration> {
      const next = { ...(await get(organizationId)), ...change, updatedAt: now() };
      const row = {
        organization_id: organizationId,
        scope: JSON.stringify(syncScopeSchema.parse(next.scope)),
        include_guests: next.includeGuests ? 1 : 0,
        exclusions: JSON.stringify(next.exclusions),
        deletion_guard: JSON.stringify(deletionGuardSchema.parse(next.deletionGuard)),
        schedule: next.schedule === null ? null : JSON.stringify(next.schedule),
        updated_at: next.updatedAt,
      };
      const { organization_id: _id, ...update } = row;
      await db
        .insertInto('sync_configurations')
        .values(row)
        .onConflict((oc) => oc.column('organization_id').doUpdateSet(update))
        .execute();
      return next;
    },
  };
}

