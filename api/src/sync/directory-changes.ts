import {
  type DirectoryUser,
  type EmployeeAttributes,
  type EmployeeChange,
  type MappingOptions,
  type StoredEmployee,
  changedAttributes,
  compareEmployee,
  employeesToDeactivate,
  mapDirectoryUser,
  skipReasonText,
} from '../domain';
import type { Repositories, Store, SyncCounts, SyncReport, SyncReportEntry } from '../store';
import { carriesManager } from './graph-payloads';
import type { RunProgress } from './run-progress';

/** An employee a run will deactivate, and why. */
export interface PlannedDeactivation {
  employeeId: string;
  entraObjectId: string;
  email: string | null;
  displayName: string | null;
  reason: string;
}

/**
 * What one run does to the directory. Creations, updates and reactivations are written
 * page by page (idempotent upserts, so an interrupted run loses nothing and a replay
 * harms nothing); deactivations are only collected here and written once the scope was
 * read completely, and the deletion guard allows it.
 */
export class DirectoryChanges {
  readonly counts: SyncCounts = { created: 0, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 0 };
  readonly report: SyncReport = { created: [], updated: [], deactivated: [], reactivated: [], skipped: [], truncated: false };
  /** Entra ids of the employees found in scope this run. */
  readonly inScope = new Set<string>();
  private readonly skippedIds = new Set<string>();
  private readonly deactivations = new Map<string, PlannedDeactivation>();
  private readonly stored: Map<string, StoredEmployee>;
  private readonly activeBefore: number;

  constructor(
    private readonly store: Store,
    private readonly organizationId: string,
    private readonly runId: string,
    private readonly dryRun: boolean,
    private readonly mapping: MappingOptions,
    stored: readonly StoredEmployee[],
    private readonly reportCap: number,
  ) {
    this.stored = new Map(stored.map((e) => [e.entraObjectId, e]));
    this.activeBefore = stored.filter((e) => e.status === 'active').length;
  }

  /** Active employees before this run: what the deletion guard measures against. */
  get activeEmployees(): number {
    return this.activeBefore;
  }

  get plannedDeactivations(): PlannedDeactivation[] {
    return [...this.deactivations.values()];
  }

  /** Whether the user, read in scope, is still to be compared with the directory this run: not seen yet, and an employee by the mapping rules. */
  willCompare(user: DirectoryUser): boolean {
    return !this.inScope.has(user.id) && mapDirectoryUser(user, this.mapping).kind === 'employee';
  }

  /** Compares a page of users in scope with the directory and writes what changed, with the run's progress, in one transaction. */
  async applyUsers(users: readonly DirectoryUser[], progress: RunProgress): Promise<void> {
    const changes: EmployeeChange[] = [];
    for (const user of users) {
      if (this.inScope.has(user.id)) continue;
      const stored = this.stored.get(user.id);
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
      changes.push(change);
      const entry = { entraObjectId: user.id, email: change.attributes.email, displayName: change.attributes.displayName };
      if (change.kind === 'create') {
        this.counts.created += 1;
        this.list('created', entry);
      } else if (change.kind === 'update') {
        this.counts.updated += 1;
        this.list('updated', entry);
      } else {
        this.counts.reactivated += 1;
        this.list('reactivated', entry);
      }
    }
    await this.write(changes, progress);
  }

  /** A user deleted in Entra (soft or hard) during an incremental round. */
  planRemoval(entraObjectId: string, reason: string): void {
    const stored = this.stored.get(entraObjectId);
    if (stored?.status === 'active' && !this.inScope.has(entraObjectId)) this.planDeactivation(stored, reason);
  }

  /** After a complete enumeration: every active employee not found in scope leaves. */
  planDeactivationOfAbsent(): void {
    for (const employee of employeesToDeactivate(this.stored.values(), this.inScope)) {
      if (!this.deactivations.has(employee.id)) this.planDeactivation(employee, 'no longer in the sync scope');
    }
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

  private async write(changes: EmployeeChange[], progress: RunProgress): Promise<void> {
    if (this.dryRun) {
      await progress.record(this.store.runs, this.counts);
      return;
    }
    const at = this.store.now();
    await this.store.transaction(async (t) => {
      if (changes.length > 0) {
        // Only updates need the previous values, to log which attributes changed; they are few.
        const updated = changes.filter((c) => c.kind === 'update').map((c) => c.employeeId!);
        const before = updated.length > 0 ? await t.employees.attributesOf(this.organizationId, updated) : new Map<string, EmployeeAttributes>();
        const ids = await t.employees.applyChanges(this.organizationId, changes, at);
        await t.changes.append(
          this.organizationId,
          this.runId,
          changes.map((c, i) => ({
            employeeId: ids[i]!,
            entraObjectId: c.entraObjectId,
            email: c.attributes.email,
            action: c.kind === 'create' ? ('created' as const) : c.kind === 'update' ? ('updated' as const) : ('reactivated' as const),
            reason: null,
            changedFields: c.kind === 'update' && before.has(c.employeeId!) ? changedAttributes(before.get(c.employeeId!)!, c.attributes) : null,
          })),
          at,
        );
      }
      await progress.record(t.runs, this.counts);
    });
  }
}
