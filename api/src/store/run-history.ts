import type { Kysely } from 'kysely';
import type { Database } from './schema';
import type { SyncRun, SyncRunRepository } from './sync-runs';

/** The sync history, newest first, paged by (queued at, id). */
export function runHistoryRepository(db: Kysely<Database>, runs: SyncRunRepository) {
  return {
    async page(organizationId: string, query: { limit: number; before?: { queuedAt: string; id: string } }): Promise<{ runs: SyncRun[]; last?: { queuedAt: string; id: string } }> {
      let select = db.selectFrom('sync_runs').select('id').where('organization_id', '=', organizationId);
      if (query.before) {
        const { queuedAt, id } = query.before;
        select = select.where((eb) => eb.or([eb('queued_at', '<', queuedAt), eb.and([eb('queued_at', '=', queuedAt), eb('id', '<', id)])]));
      }
      const ids = await select.orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
      const page = (await Promise.all(ids.slice(0, query.limit).map((r) => runs.get(r.id)))).filter((r): r is SyncRun => r !== undefined);
      const lastRun = page[page.length - 1];
      return { runs: page, ...(ids.length > query.limit && lastRun ? { last: { queuedAt: lastRun.queuedAt, id: lastRun.id } } : {}) };
    },
  };
}
