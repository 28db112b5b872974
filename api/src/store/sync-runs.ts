import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, SyncRunTable } from './schema';

export type SyncTrigger = 'manual' | 'schedule' | 'webhook' | 'scope_change' | 'cli' | 'csv';
export type SyncMode = 'full' | 'incremental';
export type SyncRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'awaiting_approval' | 'rejected' | 'cancelled';
export type SyncPhase = 'resolving_scope' | 'taking_delta_links' | 'reading_users' | 'reading_changes' | 'reading_groups' | 'applying' | 'deactivating' | 'done';

export const finishedStatuses: readonly SyncRunStatus[] = ['succeeded', 'failed', 'rejected', 'cancelled'];

export interface SyncCounts {
  created: number;
  updated: number;
  deactivated: number;
  reactivated: number;
  unchanged: number;
  skipped: number;
}

export interface SyncProgress {
  phase: SyncPhase;
  usersRead: number;
  pages: number;
  graphRequests: number;
}

/** A person a run lists (dry-run lists, skipped users with the reason). */
export interface SyncReportEntry {
  entraObjectId: string | null;
  email: string | null;
  displayName: string | null;
  reason?: string;
}

/** The lists a run reports, each capped; `truncated` says a list was cut. */
export interface SyncReport {
  created: SyncReportEntry[];
  updated: SyncReportEntry[];
  deactivated: SyncReportEntry[];
  reactivated: SyncReportEntry[];
  skipped: SyncReportEntry[];
  truncated: boolean;
  /** Dry runs: whether a real run would stop for approval. */
  heldByDeletionGuard?: boolean;
}

export interface SyncRun {
  id: string;
  organizationId: string;
  trigger: SyncTrigger;
  mode: SyncMode;
  dryRun: boolean;
  status: SyncRunStatus;
  phase: SyncPhase | null;
  counts: SyncCounts;
  usersRead: number;
  pages: number;
  graphRequests: number;
  error: { code: string; message: string } | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  durationMs: number | null;
  /** A held run's saved plan, as the engine wrote it (parsed by the engine). */
  plan: unknown;
  /** A preview's unsaved settings, as the engine wrote them (parsed by the engine); null: the saved settings. */
  proposal: unknown;
  report: SyncReport | null;
}

function toRun(row: Selectable<SyncRunTable>): SyncRun {
  const started = row.started_at ? Date.parse(row.started_at) : null;
  const finished = row.finished_at ? Date.parse(row.finished_at) : null;
  return {
    id: row.id,
    organizationId: row.organization_id,
    trigger: row.trigger as SyncTrigger,
    mode: row.mode as SyncMode,
    dryRun: row.dry_run === 1,
    status: row.status as SyncRunStatus,
    phase: row.phase as SyncPhase | null,
    counts: {
      created: Number(row.created),
      updated: Number(row.updated),
      deactivated: Number(row.deactivated),
      reactivated: Number(row.reactivated),
      unchanged: Number(row.unchanged),
      skipped: Number(row.skipped),
    },
    usersRead: Number(row.users_read),
    pages: Number(row.pages),
    graphRequests: Number(row.graph_requests),
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
    durationMs: started !== null && finished !== null ? finished - started : null,
    plan: row.plan === null ? null : JSON.parse(row.plan),
    proposal: row.proposal === null ? null : JSON.parse(row.proposal),
    report: row.report === null ? null : (JSON.parse(row.report) as SyncReport),
  };
}

export interface SyncRunUpdate {
  status?: SyncRunStatus;
  mode?: SyncMode;
  phase?: SyncPhase | null;
  counts?: SyncCounts;
  progress?: Omit<SyncProgress, 'phase'>;
  error?: { code: string; message: string } | null;
  startedAt?: string;
  finishedAt?: string | null;
  plan?: unknown;
  report?: SyncReport | null;
}

function changedColumns(change: SyncRunUpdate, at: string): Updateable<SyncRunTable> {
  const set: Updateable<SyncRunTable> = {};
  if (change.status !== undefined) set.status = change.status;
  if (change.mode !== undefined) set.mode = change.mode;
  if (change.phase !== undefined) set.phase = change.phase;
  if (change.counts) Object.assign(set, change.counts);
  if (change.progress) {
    set.users_read = change.progress.usersRead;
    set.pages = change.progress.pages;
    set.graph_requests = change.progress.graphRequests;
  }
  if (change.error !== undefined) {
    set.error_code = change.error?.code ?? null;
    set.error_message = change.error?.message ?? null;
  }
  if (change.startedAt !== undefined) set.started_at = change.startedAt;
  if (change.finishedAt !== undefined) set.finished_at = change.finishedAt;
  if (change.plan !== undefined) set.plan = change.plan === null ? null : JSON.stringify(change.plan);
  if (change.report !== undefined) set.report = change.report === null ? null : JSON.stringify(change.report);
  set.heartbeat_at = at;
  return set;
}

export function syncRunRepository(db: Kysely<Database>, now: () => string) {
  const get = async (runId: string): Promise<SyncRun | undefined> => {
    const row = await db.selectFrom('sync_runs').selectAll().where('id', '=', runId).executeTakeFirst();
    return row && toRun(row);
  };
  return {
    async create(input: { organizationId: string; trigger: SyncTrigger; mode: SyncMode; dryRun: boolean }): Promise<SyncRun> {
      const id = randomUUID();
      await db
        .insertInto('sync_runs')
        .values({ id, organization_id: input.organizationId, trigger: input.trigger, mode: input.mode, dry_run: input.dryRun ? 1 : 0, status: 'queued', phase: null, queued_at: now() })
        .execute();
      return (await get(id))!;
    },

    get,

    async update(runId: string, change: SyncRunUpdate): Promise<void> {
      await db.updateTable('sync_runs').set(changedColumns(change, now())).where('id', '=', runId).execute();
    },

    /**
     * Writes `change` only while the run is still in one of the `from` statuses; false when
     * it has moved on (approved, rejected, cancelled, declared interrupted) in the meantime.
     */
    async transition(runId: string, from: SyncRunStatus | readonly SyncRunStatus[], change: SyncRunUpdate): Promise<boolean> {
      const statuses = typeof from === 'string' ? [from] : [...from];
      const result = await db.updateTable('sync_runs').set(changedColumns(change, now())).where('id', '=', runId).where('status', 'in', statuses).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Cancels the organization's plans waiting for approval, but `byRunId`'s: a newer sync made them stale. */
    async supersedeHeld(organizationId: string, byRunId: string): Promise<void> {
      await db
        .updateTable('sync_runs')
        .set({ ...changedColumns({ status: 'cancelled', plan: null, finishedAt: now() }, now()), error_code: 'SUPERSEDED', error_message: `A newer sync (${byRunId}) replaced this one before it was approved; nobody was deactivated.` })
        .where('organization_id', '=', organizationId)
        .where('status', '=', 'awaiting_approval')
        .where('id', '!=', byRunId)
        .execute();
    },

    /** Most recent first. */
    async list(organizationId: string, options: { limit?: number; status?: readonly SyncRunStatus[]; dryRun?: boolean } = {}): Promise<SyncRun[]> {
      let select = db.selectFrom('sync_runs').selectAll().where('organization_id', '=', organizationId);
      if (options.status) select = select.where('status', 'in', [...options.status]);
      if (options.dryRun !== undefined) select = select.where('dry_run', '=', options.dryRun ? 1 : 0);
      const rows = await select
        .orderBy('queued_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit ?? 50)
        .execute();
      return rows.map(toRun);
    },

    /** Runs not yet finished: queued, running, or held for approval. */
    async unfinished(organizationId: string): Promise<SyncRun[]> {
      const rows = await db
        .selectFrom('sync_runs')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('status', 'in', ['queued', 'running', 'awaiting_approval'])
        .orderBy('queued_at')
        .execute();
      return rows.map(toRun);
    },
  };
}

export type SyncRunRepository = ReturnType<typeof syncRunRepository>;
