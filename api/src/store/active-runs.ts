import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import type { SyncMode, SyncRun, SyncRunRepository, SyncTrigger } from './sync-runs';

/** A run silent this long belongs to a process that ended: it no longer blocks new runs. */
const STALE_AFTER_MS = 120_000;

/**
 * The one active (queued or running) run of an organization. A unique index on those
 * runs makes the database the referee, so two requests at once — even from two api
 * instances — create a single run.
 */
export function activeRunRepository(db: Kysely<Database>, runs: SyncRunRepository, now: () => string) {
  const active = (organizationId: string) =>
    db.selectFrom('sync_runs').select(['id', 'heartbeat_at', 'queued_at']).where('organization_id', '=', organizationId).where('status', 'in', ['queued', 'running']).executeTakeFirst();

  /**
   * Ends a silent run as interrupted, only if it is still active and has not signalled
   * since `lastHeartbeat` was read: a run that is merely slow keeps going.
   */
  const declareInterrupted = async (runId: string, lastHeartbeat: string | null, message: string): Promise<boolean> => {
    const result = await db
      .updateTable('sync_runs')
      .set({ status: 'failed', finished_at: now(), heartbeat_at: now(), error_code: 'SYNC_INTERRUPTED', error_message: message })
      .where('id', '=', runId)
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => (lastHeartbeat === null ? eb('heartbeat_at', 'is', null) : eb('heartbeat_at', '=', lastHeartbeat)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  };

  return {
    declareInterrupted,

    async createUnlessActive(input: { organizationId: string; trigger: SyncTrigger; mode: SyncMode; dryRun: boolean }): Promise<{ run: SyncRun; created: boolean }> {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const existing = await active(input.organizationId);
        if (existing) {
          const lastSign = Date.parse(existing.heartbeat_at ?? existing.queued_at);
          if (Date.parse(now()) - lastSign <= STALE_AFTER_MS) return { run: (await runs.get(existing.id))!, created: false };
          // Not declared when it signalled meanwhile: the next look finds it alive.
          if (!(await declareInterrupted(existing.id, existing.heartbeat_at, 'The sync stopped without finishing (its process ended); nobody was deactivated.'))) continue;
        }
        const id = randomUUID();
        try {
          await db
            .insertInto('sync_runs')
            .values({ id, organization_id: input.organizationId, trigger: input.trigger, mode: input.mode, dry_run: input.dryRun ? 1 : 0, status: 'queued', phase: null, queued_at: now(), heartbeat_at: now() })
            .execute();
          return { run: (await runs.get(id))!, created: true };
        } catch (error) {
          if (!(await active(input.organizationId))) throw error; // not the uniqueness race: a real failure
        }
      }
      const winner = await active(input.organizationId);
      if (!winner) throw new Error('could not create or find the active sync run');
      return { run: (await runs.get(winner.id))!, created: false };
    },

    /** Takes a queued run for this process; false when someone else took it (or it was cancelled) first. */
    async claim(runId: string): Promise<boolean> {
      const result = await db
        .updateTable('sync_runs')
        .set({ status: 'running', started_at: now(), heartbeat_at: now() })
        .where('id', '=', runId)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * A running run's sign of life, written on a timer however long one Graph call takes;
     * false when the run is no longer running (someone declared it interrupted).
     */
    async heartbeat(runId: string): Promise<boolean> {
      const result = await db.updateTable('sync_runs').set({ heartbeat_at: now() }).where('id', '=', runId).where('status', '=', 'running').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Every organization's queued or running run, oldest first. */
    async everyActive(): Promise<SyncRun[]> {
      const rows = await db.selectFrom('sync_runs').select('id').where('status', 'in', ['queued', 'running']).orderBy('queued_at').execute();
      return (await Promise.all(rows.map((r) => runs.get(r.id)))).filter((r): r is SyncRun => r !== undefined);
    },

    async requestCancel(runId: string): Promise<void> {
      await db.updateTable('sync_runs').set({ cancel_requested_at: now() }).where('id', '=', runId).execute();
    },

    async cancelRequested(runIds: string[]): Promise<string[]> {
      if (runIds.length === 0) return [];
      const rows = await db.selectFrom('sync_runs').select('id').where('id', 'in', runIds).where('cancel_requested_at', 'is not', null).execute();
      return rows.map((r) => r.id);
    },
  };
}
