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
