import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import type { SyncMode, SyncRun, SyncRunRepository, SyncTrigger } from './sync-runs';

/**
 * The one rule for runs whose process ended. A running run writes a heartbeat every
 * `heartbeatEveryMs`, however long one Graph call takes; once it has been silent for
 * `interruptedAfterMs` it is closed as interrupted (failed, SYNC_INTERRUPTED, nobody
 * deactivated) by whoever looks next: a new sync request, the api's periodic sweep, or
 * an api starting up. Until then it blocks new runs of its organization.
 */
export const runSilence = { heartbeatEveryMs: 10_000, interruptedAfterMs: 60_000 } as const;

/** The one message a run closed as interrupted carries. */
export const interruptedRunMessage = 'The sync stopped without finishing (the process running it ended or lost the database); nobody was deactivated. Start it again.';

/**
 * The one active (queued or running) run of an organization. A unique index on those
 * runs makes the database the referee, so two requests at once — from the api, another
 * api instance, or the command line — create a single run.
 */
export function activeRunRepository(db: Kysely<Database>, runs: SyncRunRepository, now: () => string) {
  const active = (organizationId: string) =>
    db.selectFrom('sync_runs').select(['id', 'status', 'heartbeat_at', 'queued_at']).where('organization_id', '=', organizationId).where('status', 'in', ['queued', 'running']).executeTakeFirst();

  /**
   * Ends a run as interrupted, only if it is still active and has not signalled since
   * `lastHeartbeat` was read: a run that is merely slow keeps going.
   */
  const declareInterrupted = async (runId: string, lastHeartbeat: string | null): Promise<boolean> => {
    const result = await db
      .updateTable('sync_runs')
      .set({ status: 'failed', finished_at: now(), heartbeat_at: now(), error_code: 'SYNC_INTERRUPTED', error_message: interruptedRunMessage })
      .where('id', '=', runId)
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => (lastHeartbeat === null ? eb('heartbeat_at', 'is', null) : eb('heartbeat_at', '=', lastHeartbeat)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  };

  const silentFor = (row: { heartbeat_at: string | null; queued_at: string }) => Date.parse(now()) - Date.parse(row.heartbeat_at ?? row.queued_at);

  return {
    declareInterrupted,

    /**
     * Queues a run unless the organization has an active one. A running run silent for
     * `interruptedAfterMs` is closed first (and answered as `interrupted`), so a person
     * who asks is told what happened rather than "already running".
     */
    async createUnlessActive(
      input: { organizationId: string; trigger: SyncTrigger; mode: SyncMode; dryRun: boolean; proposal?: unknown },
      interruptedAfterMs: number = runSilence.interruptedAfterMs,
    ): Promise<{ run: SyncRun; created: boolean; interrupted?: SyncRun }> {
      let interrupted: SyncRun | undefined;
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const existing = await active(input.organizationId);
        if (existing) {
          // Queued runs wait in a queue (pg-boss may hold them while busy): only a running run's silence counts.
          if (existing.status !== 'running' || silentFor(existing) <= interruptedAfterMs) return { run: (await runs.get(existing.id))!, created: false };
          // Not declared when it signalled meanwhile: the next look finds it alive.
          if (!(await declareInterrupted(existing.id, existing.heartbeat_at))) continue;
          interrupted = await runs.get(existing.id);
        }
        const id = randomUUID();
        try {
          await db
            .insertInto('sync_runs')
            .values({ id, organization_id: input.organizationId, trigger: input.trigger, mode: input.mode, dry_run: input.dryRun ? 1 : 0, status: 'queued', phase: null, queued_at: now(), heartbeat_at: now(), proposal: input.proposal === undefined ? null : JSON.stringify(input.proposal) })
            .execute();
          return { run: (await runs.get(id))!, created: true, ...(interrupted ? { interrupted } : {}) };
        } catch (error) {
          if (!(await active(input.organizationId))) throw error; // not the uniqueness race: a real failure
        }
      }
      const winner = await active(input.organizationId);
      if (!winner) throw new Error('could not create or find the active sync run');
      return { run: (await runs.get(winner.id))!, created: false };
    },

    /**
     * Closes every silent run as interrupted: running runs silent for `interruptedAfterMs`,
     * and queued ones too when `queuedToo` (no job queue holds them: nobody will take them).
     */
    async closeSilent(interruptedAfterMs: number, options: { queuedToo: boolean }): Promise<SyncRun[]> {
      const statuses = options.queuedToo ? ['queued', 'running'] : ['running'];
      const rows = await db.selectFrom('sync_runs').select(['id', 'heartbeat_at', 'queued_at']).where('status', 'in', statuses).execute();
      const closed: SyncRun[] = [];
      for (const row of rows) {
        if (silentFor(row) <= interruptedAfterMs || !(await declareInterrupted(row.id, row.heartbeat_at))) continue;
        closed.push((await runs.get(row.id))!);
      }
      return closed;
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

    /** Queued runs silent this long (their job may have been lost with the process that sent it). */
    async queuedSilentFor(ms: number): Promise<string[]> {
      const rows = await db.selectFrom('sync_runs').select(['id', 'heartbeat_at', 'queued_at']).where('status', '=', 'queued').execute();
      return rows.filter((row) => silentFor(row) > ms).map((row) => row.id);
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
