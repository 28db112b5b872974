import type { Kysely } from 'kysely';
import { type BulkEngine, insertColumnArrays, runPerRow } from './bulk-rows';
import { newRecordId } from './record-ids';
import type { Database } from './schema';

export type EmployeeChangeAction = 'created' | 'updated' | 'deactivated' | 'reactivated';

/** One line of an employee's history: what a sync run did to the record, and which attributes changed. */
export interface EmployeeChangeEntry {
  id: string;
  organizationId: string;
  runId: string | null;
  employeeId: string | null;
  entraObjectId: string | null;
  email: string | null;
  action: EmployeeChangeAction;
  reason: string | null;
  changedFields: string[] | null;
  at: string;
}

export type NewEmployeeChangeEntry = Omit<EmployeeChangeEntry, 'id' | 'organizationId' | 'runId' | 'at'>;

const changeColumns = ['id', 'organization_id', 'run_id', 'employee_id', 'entra_object_id', 'email', 'action', 'reason', 'changed_fields', 'at'] as const;

/** `engine`: on SQLite inside a transaction, one prepared insert a line; on PostgreSQL, column arrays (see BulkEngine). */
export function employeeChangeRepository(db: Kysely<Database>, engine: BulkEngine) {
  return {
    async append(organizationId: string, runId: string | null, entries: readonly NewEmployeeChangeEntry[], at: string): Promise<void> {
      const rows = entries.map((e) => ({
        id: newRecordId(),
        organization_id: organizationId,
        run_id: runId,
        employee_id: e.employeeId,
        entra_object_id: e.entraObjectId,
        email: e.email,
        action: e.action,
        reason: e.reason,
        changed_fields: e.changedFields === null ? null : JSON.stringify(e.changedFields),
        at,
      }));
      if (engine.kind === 'postgres') {
        await insertColumnArrays(db, 'employee_changes', changeColumns, rows, '');
        return;
      }
      if (engine.prepared) {
        await runPerRow(engine.prepared, `insert into employee_changes (${changeColumns.join(', ')}) values (${changeColumns.map(() => '?').join(', ')})`, changeColumns, rows);
        return;
      }
      for (let i = 0; i < rows.length; i += 1000) await db.insertInto('employee_changes').values(rows.slice(i, i + 1000)).execute();
    },

    async list(organizationId: string, filter: { runId?: string; employeeId?: string; limit?: number } = {}): Promise<EmployeeChangeEntry[]> {
      let select = db.selectFrom('employee_changes').selectAll().where('organization_id', '=', organizationId);
      if (filter.runId) select = select.where('run_id', '=', filter.runId);
      if (filter.employeeId) select = select.where('employee_id', '=', filter.employeeId);
      const rows = await select.orderBy('at').orderBy('email').limit(filter.limit ?? 10_000).execute();
      return rows.map((r) => ({
        id: r.id,
        organizationId: r.organization_id,
        runId: r.run_id,
        employeeId: r.employee_id,
        entraObjectId: r.entra_object_id,
        email: r.email,
        action: r.action as EmployeeChangeAction,
        reason: r.reason,
        changedFields: r.changed_fields === null ? null : (JSON.parse(r.changed_fields) as string[]),
        at: r.at,
      }));
    },
  };
}

