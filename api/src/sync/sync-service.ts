import { EventEmitter } from 'node:events';
import { DomainError, deletionGuardHolds, deletionGuardReason, parseExclusionList } from '../domain';
import { DeltaTokenExpiredError, GraphAuthenticationError, GraphError, type GraphReader } from '../graph/graph-reader';
import type { Logger } from '../service/logger';
import { type Store, StoreError, type SyncMode, type SyncRun, type SyncTrigger, finishedStatuses } from '../store';
import { DirectoryChanges } from './directory-changes';
import { fullSync } from './full-sync';
import { incrementalSync } from './incremental-sync';
import { RunProgress, type SyncProgressEvent } from './run-progress';
import { type HeldPlan, heldPlanSchema } from './sync-plan';
import { type DeltaStateDraft, type SyncRound, scopeKeyOf } from './sync-round';
import { SyncError, isTakenOver, runTakenOver } from './sync-error';

export interface SyncServiceOptions {
  store: Store;
  /** A Graph reader for a customer tenant (the api builds it from its Microsoft app configuration). */
  graphReaderFor: (tenantId: string) => GraphReader;
  logger?: Logger;
  /** Longest list of people a run reports per kind (created, skipped, …). */
  reportCap?: number;
  /** A run silent this long was interrupted (its process ended): it is marked failed and no longer blocks new runs. */
  staleRunAfterMs?: number;
  /**
   * How often a run in progress signals it is alive, whatever it is waiting for (one Graph
   * call may retry for minutes). Well under staleRunAfterMs (default 20 s).
   */
  heartbeatEveryMs?: number;
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

/**
 * Runs syncs for organizations: full or incremental, dry or real, held by the deletion
 * guard until approved. One run at a time per organization.
 */
export class SyncService {
  readonly events = new EventEmitter<SyncServiceEvents>();
  private readonly live = new Map<string, string>();
  private readonly store: Store;

  constructor(private readonly options: SyncServiceOptions) {
    this.store = options.store;
  }

  /** Records a run and starts it in the background; `done` settles with the finished run (never rejects). */
  async startRun(organizationId: string, options: RunSyncOptions = {}): Promise<{ run: SyncRun; done: Promise<SyncRun> }> {
    const { tenantId } = await this.checkCanRun(organizationId);
    if (this.live.has(organizationId)) throw alreadyRunning();
    const run = await this.store.runs.create({ organizationId, trigger: options.trigger ?? 'manual', mode: options.full ? 'full' : 'incremental', dryRun: options.dryRun ?? false });
    this.live.set(organizationId, run.id);
    const done = this.execute(run, tenantId, options).finally(() => this.live.delete(organizationId));
    return { run, done };
  }

  /**
   * Executes a run someone already queued (the api's job queue records runs first, so the
   * database can guarantee one active run per organization across api instances).
   */
  async executeRun(queued: SyncRun, options: Pick<RunSyncOptions, 'signal'> = {}): Promise<SyncRun> {
    const organizationId = queued.organizationId;
    let tenantId: string;
    try {
      tenantId = await this.connectedTenant(organizationId);
    } catch (error) {
      const described = describeFailure(error, false);
      const ended = await this.store.runs.transition(queued.id, ['queued', 'running'], { status: 'failed', finishedAt: this.store.now(), error: { code: described.code, message: described.message } });
      const run = (await this.store.runs.get(queued.id))!;
      return ended ? this.finished(run) : run;
    }
    this.live.set(organizationId, queued.id);
    try {
      return await this.execute(queued, tenantId, { trigger: queued.trigger, dryRun: queued.dryRun, full: queued.mode === 'full', signal: options.signal });
    } finally {
      this.live.delete(organizationId);
    }
  }

  /** Runs a sync to its end and returns the finished (or held) run. */
  async runSync(organizationId: string, options: RunSyncOptions = {}): Promise<SyncRun> {
    const { done } = await this.startRun(organizationId, options);
    return done;
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
    return this.finished(await this.getRun(organizationId, runId));
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

  private async checkCanRun(organizationId: string): Promise<{ tenantId: string }> {
    const tenantId = await this.connectedTenant(organizationId);
    const staleAfter = this.options.staleRunAfterMs ?? 120_000;
    for (const other of await this.store.runs.unfinished(organizationId)) {
      if (other.status === 'awaiting_approval') continue;
      const lastSign = Date.parse(other.heartbeatAt ?? other.queuedAt);
      const mine = this.live.get(organizationId) === other.id;
      const silent = !mine && Date.parse(this.store.now()) - lastSign > staleAfter;
      // A run that signalled since it was read is alive after all.
      if (!silent || !(await this.store.activeRuns.declareInterrupted(other.id, other.heartbeatAt, 'The sync stopped without finishing (its process ended); nobody was deactivated.'))) {
        throw alreadyRunning();
      }
    }
    return { tenantId };
  }

  private async execute(queued: SyncRun, tenantId: string, options: RunSyncOptions): Promise<SyncRun> {
    const { store } = this;
    // Cancelled before it started, or declared interrupted while waiting: nothing to do.
    if (!(await store.runs.transition(queued.id, ['queued', 'running'], { status: 'running', startedAt: store.now(), phase: 'resolving_scope' }))) return (await store.runs.get(queued.id))!;
    // Declared interrupted by someone else (it looked silent): stop before writing beside the run that replaces it.
    const lost = new AbortController();
    const heartbeat = setInterval(() => {
      store.activeRuns.heartbeat(queued.id).then(
        (alive) => {
          if (!alive) lost.abort(runTakenOver(queued.id));
        },
        (error: unknown) => this.options.logger?.warn({ err: error, runId: queued.id }, 'could not record that the sync is alive'),
      );
    }, this.options.heartbeatEveryMs ?? 20_000);
    heartbeat.unref();
    const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
    try {
      return await this.executeRunning(queued, tenantId, { ...options, signal }, lost.signal);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async executeRunning(queued: SyncRun, tenantId: string, options: RunSyncOptions & { signal: AbortSignal }, lost: AbortSignal): Promise<SyncRun> {
    const { store } = this;
    const organizationId = queued.organizationId;
    const dryRun = options.dryRun ?? false;
    const reader = this.options.graphReaderFor(tenantId);
    const progress = new RunProgress(queued.id, organizationId, reader, this.events);
    let round: SyncRound | undefined;
    try {
      if (!dryRun) {
        // A newer real run replaces a plan still waiting for approval: that plan is stale now.
        for (const held of await store.runs.list(organizationId, { status: ['awaiting_approval'] })) {
          await store.runs.transition(held.id, 'awaiting_approval', { status: 'cancelled', plan: null, error: { code: 'SUPERSEDED', message: `A newer sync (${queued.id}) replaced this one before it was approved.` } });
        }
      }
      const configuration = await store.configurations.get(organizationId);
      const mapping = { includeGuests: configuration.includeGuests, exclusions: parseExclusionList(configuration.exclusions) };
      const newRound = async (): Promise<SyncRound> => ({
        store,
        reader,
        configuration,
        progress,
        signal: options.signal,
        changes: new DirectoryChanges(store, organizationId, queued.id, dryRun, mapping, await store.employees.storedForSync(organizationId), this.options.reportCap ?? 200),
      });
      const state = await store.deltaStates.get(organizationId);
      let mode: SyncMode = !options.full && state?.usersDeltaLink && state.scopeKey === scopeKeyOf(configuration) ? 'incremental' : 'full';
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
      const described = describeFailure(error, cancelled);
      if (!described.expected) this.options.logger?.error({ err: error, organizationId, runId: queued.id }, 'sync failed');
      if (!cancelled && consentWithdrawn(error)) await this.recordRevokedConsent(organizationId, tenantId);
      const ended = await store.runs
        .transition(queued.id, 'running', {
          status: cancelled ? 'cancelled' : 'failed',
          finishedAt: store.now(),
          error: { code: described.code, message: described.message },
          ...(round ? { counts: round.changes.counts, report: round.changes.report, progress: { usersRead: progress.usersRead, pages: progress.pages, graphRequests: progress.graphRequests } } : {}),
        })
        .catch((writeError: unknown) => {
          this.options.logger?.error({ err: writeError, runId: queued.id }, 'could not record the failed sync');
          return false;
        });
      const run = (await store.runs.get(queued.id))!;
      return ended ? this.finished(run) : run;
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
    const planned = changes.plannedDeactivations;
    changes.countDeactivations(planned);
    const held = deletionGuardHolds(planned.length, changes.activeEmployees, configuration.deletionGuard);
    const progressFields = { usersRead: progress.usersRead, pages: progress.pages, graphRequests: progress.graphRequests };
    const at = store.now();
    if (dryRun) {
      changes.report.heldByDeletionGuard = held;
      if (!(await store.runs.transition(runId, 'running', { status: 'succeeded', phase: 'done', counts: changes.counts, report: changes.report, progress: progressFields, finishedAt: at }))) throw runTakenOver(runId);
    } else if (held) {
      const plan: HeldPlan = { deactivate: planned, deltaState: next };
      const heldNow = await store.runs.transition(runId, 'running', {
        status: 'awaiting_approval',
        phase: 'deactivating',
        counts: changes.counts,
        report: changes.report,
        progress: progressFields,
        plan,
        finishedAt: at,
        error: { code: 'DELETION_GUARD', message: deletionGuardReason(planned.length, changes.activeEmployees, configuration.deletionGuard) },
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
    return this.finished((await store.runs.get(runId))!);
  }

  private finished(run: SyncRun): SyncRun {
    if (finishedStatuses.includes(run.status) || run.status === 'awaiting_approval') this.events.emit('finished', run);
    return run;
  }
}

function alreadyRunning(): SyncError {
  return new SyncError('SYNC_ALREADY_RUNNING', 'A sync of this organization is already running; wait for it to finish (or cancel it) before starting another.');
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
  if (error instanceof GraphError || error instanceof SyncError || error instanceof DomainError || error instanceof StoreError) {
    return { code: error.code, message: error.message + (error.message.includes('deactivated') ? '' : suffix), expected: true };
  }
  return { code: 'SYNC_FAILED', message: `The sync failed unexpectedly (${error instanceof Error ? error.message : String(error)}).${suffix}`, expected: false };
}
