import type { SyncRun as StoredRun } from '../../store';
import type { SyncRun } from '../../contract';

/** A stored run as the tab and the bot read it. */
export function syncRunRepresentation(run: StoredRun): SyncRun {
  return {
    id: run.id,
    trigger: run.trigger,
    mode: run.mode,
    dryRun: run.dryRun,
    status: run.status,
    progress: { phase: run.phase, usersRead: run.usersRead, pages: run.pages, graphRequests: run.graphRequests },
    counts: run.counts,
    error: run.error,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    unsavedSettings: run.proposal !== null,
  };
}
