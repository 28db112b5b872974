/** The sync engine: full and incremental syncs, dry runs, the deletion guard, live progress. */
export { SyncService, type QueuedRun, type SyncRequest, type RunSyncOptions, type SyncServiceEvents, type SyncServiceOptions } from './sync-service';
export { SyncError } from './sync-error';
export type { RunProposal } from './run-proposal';
export type { SyncProgressEvent } from './run-progress';
export type { HeldPlan } from './sync-plan';
export { guardedActiveEmployees } from './sync-plan';
export { graphQueries } from './graph-queries';
