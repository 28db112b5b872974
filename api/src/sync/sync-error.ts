import { CodedError } from '../domain';

export type SyncErrorCode =
  | 'CONSENT_MISSING'
  | 'GRAPH_DELTA_LINK_MISSING'
  | 'MICROSOFT_NOT_CONNECTED'
  | 'ORGANIZATION_NOT_FOUND'
  | 'RUN_NOT_AWAITING_APPROVAL'
  | 'RUN_NOT_FOUND'
  | 'RUN_NO_LONGER_RUNNING'
  | 'SCOPE_GROUP_NOT_FOUND'
  | 'SYNC_ALREADY_RUNNING'
  | 'SYNC_AWAITING_APPROVAL'
  | 'SYNC_CANCELLED';

/** Why a sync could not start or did not finish. */
export class SyncError extends CodedError<SyncErrorCode> {}

/** The run's record is no longer `running`: someone declared it interrupted, and it must write nothing more. */
export function runTakenOver(runId: string): SyncError {
  return new SyncError('RUN_NO_LONGER_RUNNING', `Sync run ${runId} was declared interrupted while it ran; it stopped without writing more.`);
}

export function isTakenOver(error: unknown): boolean {
  return error instanceof SyncError && error.code === 'RUN_NO_LONGER_RUNNING';
}
