/** Why a sync could not start or did not finish; `code` is stable, the message says what to do. */
export class SyncError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** The run's record is no longer `running`: someone declared it interrupted, and it must write nothing more. */
export function runTakenOver(runId: string): SyncError {
  return new SyncError('RUN_NO_LONGER_RUNNING', `Sync run ${runId} was declared interrupted while it ran; it stopped without writing more.`);
}

export function isTakenOver(error: unknown): boolean {
  return error instanceof SyncError && error.code === 'RUN_NO_LONGER_RUNNING';
}
