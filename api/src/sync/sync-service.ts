import { EventEmitter } from 'node:events';
import { CodedError, deletionGuardHolds, deletionGuardMayHold, deletionGuardReason, parseExclusionList } from '../domain';
import { DeltaTokenExpiredError, GraphAuthenticationError, GraphError, type GraphReader } from '../graph/graph-reader';
import type { ThrottlePriority } from '../graph/graph-middleware';
import type { Logger } from '../service/logger';
import { type Store, type SyncMode, type SyncRun, type SyncRunUpdate, type SyncTrigger, finishedStatuses, interruptedRunMessage, runSilence } from '../store';
import { DirectoryChanges, type DirectoryChangesSizing } from './directory-changes';
import { fullSync } from './full-sync';
import { incrementalSync } from './incremental-sync';
import { RunProgress, type SyncProgressEvent } from './run-progress';
import { configurationForRun, type RunProposal } from './run-proposal';
import { type HeldPlan, heldPlanSchema } from './sync-plan';
import { type DeltaStateDraft, type SyncRound, scopeKeyOf } from './sync-round';
import { SyncError, isTakenOver, runTakenOver } from './sync-error';

export interface SyncServiceOptions {
  store: Store;
  /**
   * A Graph reader for a customer tenant (built from the Microsoft app configuration by the
   * composition root); `priority: 'low'` for runs nobody waits on (schedule, change notifications).
   */
  graphReaderFor: (tenantId: string, settings?: { priority?: ThrottlePriority }) => GraphReader;
  logger?: Logger;
  /** Longest list of people a run reports per kind (created, skipped, …). */
  reportCap?: number;
  /** A running run silent this long was interrupted (runSilence.interruptedAfterMs by default; tests scale it down). */
  staleRunAfterMs?: number;
  /** How often a running run signals it is alive, whatever it waits for (runSilence.heartbeatEveryMs by default). */
  heartbeatEveryMs?: number;
  /** How often a running run looks for a cancellation asked by another process (1 s by default). */
  cancelPollMs?: number;
  /** How often a run the database lost is written again, until the database answers (1 s by default). */
  databaseRetryMs?: number;
  /** Changes per write transaction and employees per deactivation lookup (tests make them small). */
  sizing?: DirectoryChangesSizing;
}

/** What a sync is asked with, by whatever starts it (tab, CLI, schedule, change notification, bot). */
export interface SyncRequest {
  trigger: SyncTrigger;
  dryRun: boolean;
  full: boolean;
  /** A dry run's settings to preview instead of the saved ones. */
  proposal?: RunProposal;
}

export interface QueuedRun {
  /** The new run, or the organization's active (or held) run when `started` is false. */
  run: SyncRun;
  started: boolean;
  /** A run found silent and closed as interrupted to make way for this one. */
  interrupted?: SyncRun;
}

export interface RunSyncOptions {
  trigger?: SyncTrigger;
  /** Compute everything, write nothing to the directory (the run record is kept, marked dry run). */
  dryRun?: boolean;
  /** A full sync even when delta links allow an incremental one. */
  full?: boolean;
  /** Stops the run between Graph requests; it ends `cancelled` and deactivates nobody. */
  signal?: AbortSignal;
}

export interface SyncServiceEvents {
  progress: [SyncProgressEvent];
  finished: [SyncRun];
}

/** Syncs the schedule or a change notification starts: they never replace a plan waiting for approval. */
const automaticTriggers: ReadonlySet<SyncTrigger> = new Set(['schedule', 'webhook']);

/**
 * Runs syncs for organizations: full or incremental, dry or real, held by the deletion
 * guard until approved. Every entry point starts and ends runs here, through the
 * database: one active run per organization whatever process asks, a heartbeat while it
 * runs, cancellation seen by whichever process runs it.
 */
export class SyncService {
  readonly events = new EventEmitter<SyncServiceEvents>();
  /** Runs executing in this process: a cancel asked here stops them at once. */
  private readonly cancellers = new Map<string, AbortController>();
  private readonly unrecorded = new Set<string>();
  private unrecordedRetry: NodeJS.Timeout | undefined;
  private readonly store: Store;

  constructor(private readonly options: SyncServiceOptions) {
    this.store = options.store;
  }

  get interruptedAfterMs(): number {
    return this.options.staleRunAfterMs ?? runSilence.interruptedAfterMs;
  }

  /**
   * Records a run unless the organization has an active one (then answers it, `started:
   * false`). Refuses, before any run exists, an organization that cannot sync.
   */
  async queueRun(organizationId: string, request: SyncRequest): Promise<QueuedRun> {
    if (request.proposal && !request.dryRun) throw new CodedError('PROPOSAL_NEEDS_DRY_RUN', 'Only a preview can use settings that are not saved: save them to sync with them.');
    await this.connectedTenant(organizationId);
    // A newer real run replaces a plan waiting for approval. Only a person should do that:
    // syncs the schedule or a change notification start wait until the admins have decided.
    if (automaticTriggers.has(request.trigger)) {
      const [held] = await this.store.runs.list(organizationId, { limit: 1, status: ['awaiting_approval'] });
      if (held) return { run: held, started: false };
    }
    const created = await this.store.activeRuns.createUnlessActive(
      {
        organizationId,
        trigger: request.trigger,
        // Proposed settings are read in full: the delta links follow the saved scope and filters.
        mode: request.full || request.proposal ? 'full' : 'incremental',
        dryRun: request.dryRun,
        ...(request.proposal ? { proposal: request.proposal } : {}),
      },
      this.interruptedAfterMs,
    );
    if (created.interrupted) this.options.logger?.warn({ organizationId, runId: created.interrupted.id }, 'a silent sync was closed as interrupted');
    return { run: created.run, started: created.created, ...(created.interrupted ? { interrupted: created.interrupted } : {}) };
  }

  /** Records a run and starts it in this process; `done` settles with the finished run (never rejects). */
  async startRun(organizationId: string, options: RunSyncOptions = {}): Promise<{ run: SyncRun; done: Promise<SyncRun> }> {
    const queued = await this.queueRun(organizationId, { trigger: options.trigger ?? 'manual', dryRun: options.dryRun ?? false, full: options.full ?? false });
    if (!queued.started) throw alreadyRunning(queued.run);
    return { run: queued.run, done: this.executeRun(queued.run, { signal: options.signal }) };
  }

  /** Runs a sync to its end and returns the finished (or held) run. */
  async runSync(organizationId: string, options: RunSyncOptions = {}): Promise<SyncRun> {
    const { done } = await this.startRun(organizationId, options);
    return done;
  }

  /**
   * Takes a queued run for this process and executes it; answers the run as it stands when
   * another process took it first or it was cancelled meanwhile. Never rejects for a sync
   * failure: the run ends `failed` with the reason.
   */
  async executeRun(queued: SyncRun, options: Pick<RunSyncOptions, 'signal'> = {}): Promise<SyncRun> {
    // The claim is atomic: of two processes handed the same run, one runs it.
    if (!(await this.store.activeRuns.claim(queued.id))) return (await this.store.runs.get(queued.id)) ?? queued;
    let tenantId: string;
    try {
      tenantId = await this.connectedTenant(queued.organizationId);
    } catch (error) {
      return this.end(queued, 'failed', describeFailure(error, false));
    }
    return this.execute(queued, tenantId, { trigger: queued.trigger, dryRun: queued.dryRun, full: queued.mode === 'full', signal: options.signal });
  }

  /**
   * Cancels a queued run at once; asks a running one to stop, wherever it runs (the process
   * running it looks every cancelPollMs). Answers the run as it stands.
   */
  async cancel(organizationId: string, runId: string): Promise<SyncRun> {
    const run = await this.getRun(organizationId, runId);
    const cancelledBeforeStart =
      run.status === 'queued' &&
      (await this.store.runs.transition(runId, 'queued', { status: 'cancelled', finishedAt: this.store.now(), error: { code: 'SYNC_CANCELLED', message: 'The sync was cancelled before it started; nobody was deactivated.' } }));
    // Taken by a process since it was read (or running already): that process stops it.
    if (!cancelledBeforeStart && (run.status === 'running' || (await this.store.runs.get(runId))?.status === 'running')) {
      await this.store.activeRuns.requestCancel(runId);
      this.cancellers.get(runId)?.abort();
    }
    return (await this.store.runs.get(runId))!;
  }

  /**
   * The sweep of the silence rule: closes runs whose process ended. `queuedToo` when no
   * job queue holds queued runs (this process is the only one that takes them).
   */
  async closeInterruptedRuns(options: { queuedToo: boolean }): Promise<SyncRun[]> {
    const closed = await this.store.activeRuns.closeSilent(this.interruptedAfterMs, options);
    for (const run of closed) this.options.logger?.warn({ runId: run.id, organizationId: run.organizationId }, 'an interrupted sync was closed');
    return closed;
  }

  async getRun(organizationId: string, runId: string): Promise<SyncRun> {
    const run = await this.store.runs.get(runId);
    if (!run || run.organizationId !== organizationId) throw new SyncError('RUN_NOT_FOUND', `No sync run ${runId} in this organization.`);
    return run;
  }

  listRuns(organizationId: string, limit = 50): Promise<SyncRun[]> {
    return this.store.runs.list(organizationId, { limit });
  }

  /** Applies the deactivations a held run planned, and continues from where it left off. */
  async approve(organizationId: string, runId: string): Promise<SyncRun> {
    const run = await this.heldRun(organizationId, runId);
    const plan: HeldPlan = heldPlanSchema.parse(run.plan);
    const at = this.store.now();
    await this.store.transaction(async (t) => {
      // The decision is taken in the same statement that checks it: of two at once, one wins.
      if (!(await t.runs.transition(runId, 'awaiting_approval', { status: 'succeeded', phase: 'done', plan: null, error: null }))) throw notAwaitingApproval(runId, (await t.runs.get(runId))?.status);
      await DirectoryChanges.writeDeactivations(t, organizationId, runId, plan.deactivate, at);
      if (plan.deltaState) await t.deltaStates.save(organizationId, plan.deltaState);
    });
    const approved = this.finished(await this.getRun(organizationId, runId));
    await this.refreshPlannerStatistics(plan.deactivate.length);
    return approved;
  }

  /** Discards a held run's plan: nobody is deactivated, and the next sync computes afresh. */
  async reject(organizationId: string, runId: string): Promise<SyncRun> {
    await this.heldRun(organizationId, runId);
    const rejected = await this.store.runs.transition(runId, 'awaiting_approval', {
      status: 'rejected',
      phase: 'done',
      plan: null,
      error: { code: 'DELETION_REJECTED', message: 'An admin rejected the deactivations this sync planned; nobody was deactivated.' },
    });
    if (!rejected) throw notAwaitingApproval(runId, (await this.store.runs.get(runId))?.status);
    return this.finished(await this.getRun(organizationId, runId));
  }

  private async heldRun(organizationId: string, runId: string): Promise<SyncRun> {
    const run = await this.getRun(organizationId, runId);
    if (run.status !== 'awaiting_approval') throw notAwaitingApproval(runId, run.status);
    return run;
  }

  /** The tenant of an organization whose admin consented; refusals say what to do. */
  private async connectedTenant(organizationId: string): Promise<string> {
    const organization = await this.store.organizations.get(organizationId);
    if (!organization) throw new SyncError('ORGANIZATION_NOT_FOUND', `No organization with id ${organizationId}.`);
    const connection = await this.store.connections.get(organizationId);
    if (!connection) throw new SyncError('MICROSOFT_NOT_CONNECTED', `${organization.name} is not connected to Microsoft 365 yet: connect it (admin consent) before syncing.`);
    if (connection.consentState !== 'granted') {
      throw new SyncError('CONSENT_MISSING', `Admin consent for tenant ${connection.tenantId} is ${connection.consentState}: a Microsoft admin must grant it ("Connect to Microsoft 365") before syncing.`);
    }
    return connection.tenantId;
  }

  /** Ends a run this process holds (failed or cancelled), unless someone else ended it first. */
  private async end(queued: SyncRun, status: 'failed' | 'cancelled', described: { code: string; message: string }, extra: SyncRunUpdate = {}): Promise<SyncRun> {
    try {
      const ended = await this.store.runs.transition(queued.id, ['queued', 'running'], { ...extra, status, finishedAt: this.store.now(), error: { code: described.code, message: described.message } });
      const run = (await this.store.runs.get(queued.id))!;
      return ended ? this.finished(run) : run;
    } catch (writeError) {
      // The database is gone (restart, failover): the run is closed as interrupted as soon as it is back.
      this.options.logger?.error({ err: writeError, runId: queued.id }, 'the database did not answer: the sync will be recorded as interrupted once it does');
      this.closeWhenDatabaseReturns(queued.id);
      const error = { code: 'SYNC_INTERRUPTED', message: interruptedRunMessage };
      return { ...queued, status: 'failed', error, finishedAt: new Date().toISOString() };
    }
  }

  /**
   * Runs this process could not record as ended, because the database was unreachable.
   * They are closed as interrupted at the first answer, not after the silence rule's delay:
   * the next sync is accepted as soon as the database is back.
   */
  private closeWhenDatabaseReturns(runId: string): void {
    this.unrecorded.add(runId);
    if (this.unrecordedRetry) return;
    this.unrecordedRetry = setInterval(() => void this.recordInterrupted(), this.options.databaseRetryMs ?? 1000);
    this.unrecordedRetry.unref();
  }

  private async recordInterrupted(): Promise<void> {
    for (const runId of [...this.unrecorded]) {
      try {
        await this.store.runs.transition(runId, ['queued', 'running'], { status: 'failed', finishedAt: this.store.now(), error: { code: 'SYNC_INTERRUPTED', message: interruptedRunMessage } });
        this.unrecorded.delete(runId);
        this.options.logger?.info({ runId }, 'the database is back: a sync it interrupted was recorded as interrupted');
      } catch {
        return; // still unreachable: try again at the next tick
      }
    }
    clearInterval(this.unrecordedRetry);
    this.unrecordedRetry = undefined;
  }

  /**
   * Waits, at most `withinMs`, until the runs this process could not record as ended are
   * recorded as interrupted. A process about to exit (the command line) so leaves no run
   * looking alive behind it, blocking the next sync for the silence rule's minute, when the
   * database is back soon. Answers whether none is left unrecorded.
   */
  async recordInterruptedRuns(withinMs: number): Promise<boolean> {
    const giveUpAt = Date.now() + withinMs;
    for (;;) {
      if (this.unrecorded.size > 0) await this.recordInterrupted();
      if (this.unrecorded.size === 0) return true;
      if (Date.now() >= giveUpAt) return false;
      await new Promise((resolve) => setTimeout(resolve, this.options.databaseRetryMs ?? 1000));
    }
  }

  /** Stops retrying to record runs (the process is stopping; the silence rule closes them). */
  dispose(): void {
    clearInterval(this.unrecordedRetry);
    this.unrecordedRetry = undefined;
  }

  private async execute(queued: SyncRun, tenantId: string, options: RunSyncOptions): Promise<SyncRun> {
    const { store } = this;
    // Cancelled before it started, or declared interrupted while waiting: nothing to do.
    if (!(await store.runs.transition(queued.id, 'running', { phase: 'resolving_scope' }))) return (await store.runs.get(queued.id))!;
    // Declared interrupted by someone else (it looked silent): stop before writing beside the run that replaces it.
    const lost = new AbortController();
    const cancelled = new AbortController();
    this.cancellers.set(queued.id, cancelled);
    const warn = (what: string) => (error: unknown) => this.options.logger?.warn({ err: error, runId: queued.id }, what);
    const heartbeat = setInterval(() => {
      store.activeRuns.heartbeat(queued.id).then((alive) => {
        if (!alive) lost.abort(runTakenOver(queued.id));
      }, warn('could not record that the sync is alive'));
    }, this.options.heartbeatEveryMs ?? runSilence.heartbeatEveryMs);
    // A cancel asked through another process (the tab while the CLI runs the sync, another api instance).
    const cancelWatch = setInterval(() => {
      store.activeRuns.cancelRequested([queued.id]).then((ids) => {
        if (ids.length > 0) cancelled.abort();
      }, warn('could not look for a cancellation'));
    }, this.options.cancelPollMs ?? 1000);
    heartbeat.unref();
    cancelWatch.unref();
    const signal = AbortSignal.any([cancelled.signal, lost.signal, ...(options.signal ? [options.signal] : [])]);
    try {
      return await this.executeRunning(queued, tenantId, { ...options, signal }, lost.signal);
    } finally {
      clearInterval(heartbeat);
      clearInterval(cancelWatch);
      this.cancellers.delete(queued.id);
    }
  }

  private async executeRunning(queued: SyncRun, tenantId: string, options: RunSyncOptions & { signal: AbortSignal }, lost: AbortSignal): Promise<SyncRun> {
    const { store } = this;
    const organizationId = queued.organizationId;
    const dryRun = options.dryRun ?? false;
    let round: SyncRound | undefined;
    try {
      // Inside the try: a reader that cannot be built (no credentials) fails the run, never leaves it running.
      // Background runs tell Graph they can wait: it throttles them before what people wait for.
      const reader = automaticTriggers.has(queued.trigger) ? this.options.graphReaderFor(tenantId, { priority: 'low' }) : this.options.graphReaderFor(tenantId);
      const progress = new RunProgress(queued.id, organizationId, reader, this.events);
      if (!dryRun) {
        // A newer real run replaces a plan still waiting for approval: that plan is stale now.
        await store.runs.supersedeHeld(organizationId, queued.id);
      }
      const configuration = configurationForRun(await store.configurations.get(organizationId), queued.proposal);
      const mapping = { includeGuests: configuration.includeGuests, exclusions: parseExclusionList(configuration.exclusions) };
      const newRound = async (): Promise<SyncRound> => ({
        store,
        reader,
        configuration,
        progress,
        signal: options.signal,
        changes: await DirectoryChanges.start(store, organizationId, queued.id, dryRun, mapping, this.options.reportCap ?? 200, this.options.sizing),
      });
      const state = await store.deltaStates.get(organizationId);
      let mode: SyncMode = !options.full && queued.proposal === null && state?.usersDeltaLink && state.scopeKey === scopeKeyOf(configuration) ? 'incremental' : 'full';
      await store.runs.update(queued.id, { mode });
      round = await newRound();
      let next: DeltaStateDraft;
      if (mode === 'incremental') {
        try {
          next = await incrementalSync(round, state!);
        } catch (error) {
          if (!(error instanceof DeltaTokenExpiredError)) throw error;
          this.options.logger?.info({ organizationId, runId: queued.id }, 'delta link expired, falling back to a full sync');
          mode = 'full';
          await store.runs.update(queued.id, { mode });
          round = await newRound();
          next = await fullSync(round);
        }
      } else {
        next = await fullSync(round);
      }
      return await this.conclude(queued.id, round, next, dryRun);
    } catch (error) {
      if (lost.aborted || isTakenOver(error)) {
        this.options.logger?.warn({ organizationId, runId: queued.id }, 'the sync was declared interrupted while it ran; it stopped without deactivating anyone');
        return (await store.runs.get(queued.id))!;
      }
      const cancelled = options.signal.aborted;
      // What the run had compared is correct whatever stopped it: written, as page-by-page writes were.
      if (round) await round.changes.flush(round.progress).catch(() => undefined);
      const described = describeFailure(error, cancelled);
      if (!described.expected) this.options.logger?.error({ err: error, organizationId, runId: queued.id }, 'sync failed');
      if (!cancelled && consentWithdrawn(error)) await this.recordRevokedConsent(organizationId, tenantId);
      const reached = round
        ? { counts: round.changes.counts, report: round.changes.report, progress: { usersRead: round.progress.usersRead, pages: round.progress.pages, graphRequests: round.progress.graphRequests } }
        : {};
      return this.end(queued, cancelled ? 'cancelled' : 'failed', described, reached);
    }
  }

  /**
   * Graph says the app no longer has consent: the connection says so too, so the tab shows
   * "consent revoked" and no more syncs start until an admin connects again.
   */
  private async recordRevokedConsent(organizationId: string, tenantId: string): Promise<void> {
    try {
      const connection = await this.store.connections.get(organizationId);
      if (connection?.consentState !== 'granted' || connection.tenantId !== tenantId) return;
      await this.store.connections.save(organizationId, tenantId, 'revoked');
      this.options.logger?.warn({ organizationId, tenantId }, 'admin consent was revoked in the tenant; syncs stop until an admin connects Microsoft 365 again');
    } catch (error) {
      this.options.logger?.error({ err: error, organizationId }, 'could not record the revoked consent');
    }
  }

  /** After a complete round: apply deactivations (or hold them), save the delta state, close the run. */
  private async conclude(runId: string, round: SyncRound, next: DeltaStateDraft, dryRun: boolean): Promise<SyncRun> {
    const { store, changes, progress, configuration } = round;
    const organizationId = round.configuration.organizationId;
    // The last changes the round kept are written before anything is concluded.
    progress.phase = 'applying';
    await changes.flush(progress);
    const planned = changes.plannedDeactivations;
    changes.countDeactivations(planned);
    // Below the guard's minimum nothing can be held: the directory is not counted.
    const activeBefore = deletionGuardMayHold(planned.length, configuration.deletionGuard) ? await changes.activeEmployeesBefore() : 0;
    const held = deletionGuardHolds(planned.length, activeBefore, configuration.deletionGuard);
    const progressFields = { usersRead: progress.usersRead, pages: progress.pages, graphRequests: progress.graphRequests };
    const at = store.now();
    if (dryRun) {
      changes.report.heldByDeletionGuard = held;
      if (!(await store.runs.transition(runId, 'running', { status: 'succeeded', phase: 'done', counts: changes.counts, report: changes.report, progress: progressFields, finishedAt: at }))) throw runTakenOver(runId);
    } else if (held) {
      const plan: HeldPlan = { deactivate: planned, deltaState: next, activeEmployees: activeBefore };
      const heldNow = await store.transaction(async (t) => {
        // One plan waits for approval per organization, whatever held the others: the newest replaces them.
        await t.runs.supersedeHeld(organizationId, runId);
        return t.runs.transition(runId, 'running', {
          status: 'awaiting_approval',
          phase: 'deactivating',
          counts: changes.counts,
          report: changes.report,
          progress: progressFields,
          plan,
          finishedAt: at,
          error: { code: 'DELETION_GUARD', message: deletionGuardReason(planned.length, activeBefore, configuration.deletionGuard) },
        });
      });
      if (!heldNow) throw runTakenOver(runId);
    } else {
      progress.phase = 'deactivating';
      await store.transaction(async (t) => {
        // Only a run still running may deactivate: one declared interrupted rolls back here.
        if (!(await t.runs.transition(runId, 'running', { status: 'succeeded', phase: 'done', counts: changes.counts, report: changes.report, progress: progressFields, finishedAt: at }))) throw runTakenOver(runId);
        if (planned.length > 0) await DirectoryChanges.writeDeactivations(t, organizationId, runId, planned, at);
        await t.deltaStates.save(organizationId, next);
      });
    }
    const run = this.finished((await store.runs.get(runId))!);
    const { created, updated, reactivated, deactivated } = changes.counts;
    // After the run is told finished: a large table's ANALYZE takes a moment.
    if (!dryRun) await this.refreshPlannerStatistics(created + updated + reactivated + (held ? 0 : deactivated));
    return run;
  }

  /** After a run or an approval wrote `rows` employees: the next run's lookups are planned on statistics that know them. */
  private async refreshPlannerStatistics(rows: number): Promise<void> {
    try {
      await this.store.employees.refreshPlannerStatistics(rows);
    } catch (error) {
      // The run is done and written; stale statistics make the next one slower, not wrong.
      this.options.logger?.warn({ err: error }, 'could not refresh the planner statistics of the employees table');
    }
  }

  private finished(run: SyncRun): SyncRun {
    if (finishedStatuses.includes(run.status) || run.status === 'awaiting_approval') this.events.emit('finished', run);
    return run;
  }
}

function alreadyRunning(active: SyncRun): SyncError {
  if (active.status === 'awaiting_approval') {
    return new SyncError('SYNC_AWAITING_APPROVAL', `Sync run ${active.id} waits for an admin to approve or reject its deactivations; decide on it before starting another.`);
  }
  return new SyncError('SYNC_ALREADY_RUNNING', `A sync of this organization (run ${active.id}, ${active.status}) is already under way; wait for it to finish (or cancel it) before starting another.`);
}

function notAwaitingApproval(runId: string, status: string | undefined): SyncError {
  return new SyncError('RUN_NOT_AWAITING_APPROVAL', `Sync run ${runId} is ${(status ?? 'gone').replace('_', ' ')}, not waiting for approval.`);
}

/** Consent missing at Entra (no token) or at Graph (403 on what the app was granted). */
function consentWithdrawn(error: unknown): boolean {
  if (error instanceof GraphAuthenticationError) return error.reason === 'consent_missing';
  return error instanceof GraphError && error.status === 403 && error.code === 'Authorization_RequestDenied';
}

function describeFailure(error: unknown, cancelled: boolean): { code: string; message: string; expected: boolean } {
  if (cancelled) return { code: 'SYNC_CANCELLED', message: 'The sync was cancelled before it finished; nobody was deactivated.', expected: true };
  const suffix = ' Nobody was deactivated.';
  if (error instanceof GraphAuthenticationError) return { code: error.reason === 'consent_missing' ? 'CONSENT_MISSING' : error.code, message: error.message + suffix, expected: true };
  // Every message says what happened; none says who was deactivated (nobody was), so the suffix says it once.
  if (error instanceof GraphError || error instanceof CodedError) return { code: error.code, message: error.message + suffix, expected: true };
  return { code: 'SYNC_FAILED', message: `The sync failed unexpectedly (${error instanceof Error ? error.message : String(error)}).${suffix}`, expected: false };
}
