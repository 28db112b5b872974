import {
  type DirectoryUser,
  EntraIdSet,
  type EmployeeAttributes,
  type EmployeeChange,
  type MappingOptions,
  type StoredEmployee,
  changedAttributes,
  compareEmployee,
  mapDirectoryUser,
  skipReasonText,
} from '../domain';
import type { NewEmployeeChangeEntry, Repositories, Store, StoredEmployeeWithAttributes, SyncCounts, SyncReport, SyncReportEntry } from '../store';
import { carriesManager } from './graph-payloads';
import type { RunProgress } from './run-progress';

/** An employee a run will deactivate, and why. */
const ABSENT_REASON = 'no longer in the sync scope';

export interface PlannedDeactivation {
  employeeId: string;
  entraObjectId: string;
  email: string | null;
  displayName: string | null;
  reason: string;
}

/** How much a run keeps before writing it: changes per transaction, active employees per deactivation lookup. */
export interface DirectoryChangesSizing {
  /** Creations, updates and reactivations written together, in one transaction (5,000). */
  changesPerTransaction: number;
  /** Active employees read at a time when looking for those not found in scope (5,000). */
  employeesPerLookup: number;
  /** Employees a round looks up ahead at most, with their attributes (under a kilobyte each): its first 20,000 users; the rest are looked up with their slice. */
  employeesLookedUpAhead: number;
}

export const defaultSizing: DirectoryChangesSizing = { changesPerTransaction: 5_000, employeesPerLookup: 5_000, employeesLookedUpAhead: 20_000 };

/**
 * What one run does to the directory. Each page read is compared with the stored hashes of
 * that page's employees only (one lookup by Entra id), so a run never loads the directory;
 * an unchanged employee costs that comparison and nothing else. Creations, updates and
 * reactivations are kept until a few thousand are due, then written in one transaction
 * with their change log (idempotent upserts: a replay harms nothing; a failed run is read
 * again in full by the next one). Deactivations are only collected, and written once the
 * scope was read completely and the deletion guard allows it; who is missing is found by
 * walking the active employees in the database against the ids read.
 */
export class DirectoryChanges {
  readonly counts: SyncCounts = { created: 0, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 0 };
  readonly report: SyncReport = { created: [], updated: [], deactivated: [], reactivated: [], skipped: [], truncated: false };
  /** Entra ids of the employees found in scope this run. */
  readonly inScope = new EntraIdSet();
  /** Entra ids of the employees this run made active again (restored, re-enabled, back in scope). */
  readonly reactivatedIds: string[] = [];
  private readonly skippedIds = new Set<string>();
  private readonly deactivations = new Map<string, PlannedDeactivation>();
  private pending: EmployeeChange[] = [];
  /** Stored employees looked up before their users are applied (see lookUpAhead), by Entra id; undefined: not in the directory. */
  private readonly lookedUpAhead = new Map<string, StoredEmployeeWithAttributes | undefined>();
  /** The previous attributes of kept updates whose lookup read them, by employee id: the change log names the attributes that changed. */
  private readonly previousAttributes = new Map<string, EmployeeAttributes>();
  /** Transactions this run committed for creations, updates and reactivations (benchmarks, tests). */
  writeTransactions = 0;

  private constructor(
    private readonly store: Store,
    private readonly organizationId: string,
    private readonly runId: string,
    private readonly dryRun: boolean,
    private readonly mapping: MappingOptions,
    /** Nobody was synced before this run: there are no stored hashes to look up (a first sync). */
    private readonly emptyAtStart: boolean,
    private readonly reportCap: number,
    private readonly sizing: DirectoryChangesSizing,
  ) {}

  static async start(
    store: Store,
    organizationId: string,
    runId: string,
    dryRun: boolean,
    mapping: MappingOptions,
    reportCap: number,
    sizing: DirectoryChangesSizing = defaultSizing,
  ): Promise<DirectoryChanges> {
    // Before the run's lookups by Entra id (PostgreSQL: stale statistics after a big load make each a scan).
    await store.employees.refreshPlannerStatistics();
    const emptyAtStart = !(await store.employees.anySynced(organizationId));
    return new DirectoryChanges(store, organizationId, runId, dryRun, mapping, emptyAtStart, reportCap, sizing);
  }

  /**
   * Active employees before this run: what the deletion guard measures against. Counted when
   * asked, once the run's changes are written (only a run that would deactivate enough people
   * to be held asks): those active now, less those this run made active. Counting at the start
   * of every run cost ~80 ms at 100,000 employees, most of a small incremental run.
   */
  async activeEmployeesBefore(): Promise<number> {
    const activeNow = await this.store.employees.countActiveSynced(this.organizationId);
    // A dry run wrote nothing.
    return this.dryRun ? activeNow : activeNow - this.counts.created - this.counts.reactivated;
  }

  get plannedDeactivations(): PlannedDeactivation[] {
    return [...this.deactivations.values()];
  }

  /** Whether the user, read in scope, is still to be compared with the directory this run: not seen yet, and an employee by the mapping rules. */
  willCompare(user: DirectoryUser): boolean {
    return !this.inScope.has(user.id) && mapDirectoryUser(user, this.mapping).kind === 'employee';
  }

  /**
   * Looks up the stored employees of users about to be applied, with their attributes, ahead
   * of applyUsers: an incremental round calls it for each delta page while the next one is on
   * the wire, so the lookups of its (mostly changed) users overlap Graph's answers instead of
   * following them, and no update needs its previous attributes read again when written.
   * What was looked up is still what the directory holds when the users are applied: nothing
   * else writes the organization's synced employees while a run that writes runs (one run or
   * import at a time, sync_runs_one_active; a held plan cannot be approved once a newer run
   * started). The change log's changed attributes are those the comparison saw, as before
   * (they were read again when written). A preview writes nothing and may run beside an
   * approval: it looks up with each slice, as close to the comparison as it can.
   */
  async lookUpAhead(entraObjectIds: readonly string[]): Promise<void> {
    if (this.emptyAtStart || this.dryRun) return;
    const wanted = [...new Set(entraObjectIds)].filter((id) => !this.lookedUpAhead.has(id) && !this.inScope.has(id));
    if (wanted.length === 0 || this.lookedUpAhead.size + wanted.length > this.sizing.employeesLookedUpAhead) return;
    const stored = await this.store.employees.storedWithAttributesByEntraIds(this.organizationId, wanted);
    for (const id of wanted) this.lookedUpAhead.set(id, stored.get(id));
  }

  /** Drops what was looked up ahead and not applied (users removed later in the round, out of the scope, a failed round). */
  forgetLookedUpAhead(): void {
    this.lookedUpAhead.clear();
  }

  /**
   * Compares a page of users in scope with their stored hashes and keeps what changed; writes
   * once enough is due. Listeners hear of the page either way.
   */
  async applyUsers(users: readonly DirectoryUser[], progress: RunProgress): Promise<void> {
    const fresh = users.filter((user) => !this.inScope.has(user.id));
    const unknown = [...new Set(fresh.filter((user) => !this.lookedUpAhead.has(user.id)).map((user) => user.id))];
    const storedOf = unknown.length > 0 && !this.emptyAtStart ? await this.store.employees.storedByEntraIds(this.organizationId, unknown) : new Map<string, StoredEmployee>();
    for (const user of fresh) {
      if (this.inScope.has(user.id)) continue;
      const ahead = this.lookedUpAhead.get(user.id);
      const stored = this.lookedUpAhead.has(user.id) ? ahead : storedOf.get(user.id);
      const mapped = mapDirectoryUser(user, this.mapping);
      if (mapped.kind === 'skipped') {
        if (!this.skippedIds.has(user.id)) {
          this.skippedIds.add(user.id);
          this.counts.skipped += 1;
          this.list('skipped', { entraObjectId: user.id, email: mapped.email, displayName: mapped.displayName, reason: skipReasonText[mapped.reason] });
        }
        if (stored?.status === 'active') this.planDeactivation(stored, skipReasonText[mapped.reason]);
        continue;
      }
      // A skipped-then-mapped user (replays, several groups) counts once, as the employee it is.
      if (this.skippedIds.delete(user.id)) this.counts.skipped -= 1;
      this.deactivations.delete(stored?.id ?? '');
      this.inScope.add(user.id);
      // A delta entry may say nothing about the manager: keep the one we know rather than erase it.
      // (Full enumerations always carry it, as read: see withManagerAsRead.)
      if (!carriesManager(user) && stored?.managerId !== undefined) mapped.attributes.managerId = stored.managerId;
      const change = compareEmployee(stored, user.id, mapped.attributes);
      if (change.kind === 'unchanged') {
        this.counts.unchanged += 1;
        continue;
      }
      this.pending.push(change);
      if (change.kind === 'update' && ahead) this.previousAttributes.set(ahead.id, ahead.attributes);
      const entry = { entraObjectId: user.id, email: change.attributes.email, displayName: change.attributes.displayName };
      if (change.kind === 'create') {
        this.counts.created += 1;
        this.list('created', entry);
      } else if (change.kind === 'update') {
        this.counts.updated += 1;
        this.list('updated', entry);
      } else {
        this.counts.reactivated += 1;
        this.reactivatedIds.push(user.id);
        this.list('reactivated', entry);
      }
    }
    for (const user of fresh) this.lookedUpAhead.delete(user.id);
    if (this.pending.length >= this.sizing.changesPerTransaction) await this.flush(progress);
    else await progress.pageRead(this.store.runs, this.counts);
  }

  /** Writes the changes still kept, with the run's progress, in one transaction (every round ends with it). */
  async flush(progress: RunProgress): Promise<void> {
    if (this.pending.length === 0) return;
    if (this.dryRun) {
      this.pending = [];
      this.previousAttributes.clear();
      await progress.record(this.store.runs, this.counts);
      return;
    }
    const changes = this.pending;
    this.pending = [];
    const at = this.store.now();
    this.writeTransactions += 1;
    // Only updates need the previous values, to log which attributes changed; read here unless their lookup read them.
    const updated = changes.filter((c) => c.kind === 'update').map((c) => c.employeeId!);
    await this.store.transaction(async (t) => {
      const unread = updated.filter((id) => !this.previousAttributes.has(id));
      const before = unread.length > 0 ? await t.employees.attributesOf(this.organizationId, unread) : new Map<string, EmployeeAttributes>();
      for (const id of updated) if (this.previousAttributes.has(id)) before.set(id, this.previousAttributes.get(id)!);
      const ids = await t.employees.applyChanges(this.organizationId, changes, at);
      await t.changes.append(
        this.organizationId,
        this.runId,
        changes.map(
          (c, i): NewEmployeeChangeEntry => ({
            employeeId: ids[i]!,
            entraObjectId: c.entraObjectId,
            email: c.attributes.email,
            action: c.kind === 'create' ? 'created' : c.kind === 'update' ? 'updated' : 'reactivated',
            reason: null,
            changedFields: c.kind === 'update' && before.has(c.employeeId!) ? changedAttributes(before.get(c.employeeId!)!, c.attributes) : null,
          }),
        ),
        at,
      );
      await progress.record(t.runs, this.counts);
    });
    for (const id of updated) this.previousAttributes.delete(id);
  }

  /** Users deleted in Entra (soft or hard) during an incremental round. */
  async planRemovals(removals: ReadonlyArray<{ entraObjectId: string; reason: string }>): Promise<void> {
    if (removals.length === 0) return;
    const storedOf = await this.store.employees.storedByEntraIds(this.organizationId, removals.map((r) => r.entraObjectId));
    for (const { entraObjectId, reason } of removals) {
      const stored = storedOf.get(entraObjectId);
      if (stored?.status === 'active' && !this.inScope.has(entraObjectId)) this.planDeactivation(stored, reason);
    }
  }

  /** After a complete enumeration: every active employee not found in scope leaves. The database is walked, a few thousand at a time. */
  async planDeactivationOfAbsent(): Promise<void> {
    // After a first sync there is no one to find: every synced employee active now was created
    // by this run from a user read in scope, and no other run of the organization wrote meanwhile
    // (one queued or running run at a time, sync_runs_one_active; and a run declared interrupted
    // while it still runs writes nothing: each of its transactions checks first that it is
    // still the running one, see RunProgress.record). Walking them all back costs about 0.5 s at 100,000.
    if (this.emptyAtStart) return;
    let after: string | null = null;
    for (;;) {
      const active = await this.store.employees.activeSyncedAfter(this.organizationId, after, this.sizing.employeesPerLookup);
      for (const employee of active) {
        if (!this.inScope.has(employee.entraObjectId) && !this.deactivations.has(employee.id)) this.planDeactivation(employee, ABSENT_REASON);
      }
      if (active.length < this.sizing.employeesPerLookup) return;
      after = active[active.length - 1]!.id;
    }
  }

  /** Entra ids of the employees planned to leave only because the listing did not bring them. */
  get absentees(): string[] {
    return [...this.deactivations.values()].filter((d) => d.reason === ABSENT_REASON).map((d) => d.entraObjectId);
  }

  /** Counts and lists the planned deactivations (for the result, whether or not they are written). */
  countDeactivations(planned: readonly PlannedDeactivation[]): void {
    this.counts.deactivated = planned.length;
    this.report.deactivated = [];
    for (const d of planned) this.list('deactivated', { entraObjectId: d.entraObjectId, email: d.email, displayName: d.displayName, reason: d.reason });
  }

  /** Writes deactivations and their change log in the caller's transaction. */
  static async writeDeactivations(repositories: Repositories, organizationId: string, runId: string, planned: readonly PlannedDeactivation[], at: string): Promise<void> {
    await repositories.employees.deactivate(
      organizationId,
      planned.map((d) => d.employeeId),
      at,
    );
    await repositories.changes.append(
      organizationId,
      runId,
      planned.map((d) => ({ employeeId: d.employeeId, entraObjectId: d.entraObjectId, email: d.email, action: 'deactivated' as const, reason: d.reason, changedFields: null })),
      at,
    );
  }

  private planDeactivation(stored: StoredEmployee, reason: string): void {
    this.deactivations.set(stored.id, { employeeId: stored.id, entraObjectId: stored.entraObjectId, email: stored.email ?? null, displayName: stored.displayName ?? null, reason });
  }

  private list(kind: 'created' | 'updated' | 'deactivated' | 'reactivated' | 'skipped', entry: SyncReportEntry): void {
    const list = this.report[kind];
    if (list.length < this.reportCap) list.push(entry);
    else this.report.truncated = true;
  }
}
