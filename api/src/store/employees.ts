import type { Insertable, Kysely, Selectable } from 'kysely';
import type { EmployeeAttributes, EmployeeChange, StoredEmployee } from '../domain';
import { newRecordId } from './record-ids';
import type { Database, EmployeeTable } from './schema';

export type EmployeeSource = 'microsoft' | 'csv' | 'manual';
export type EmployeeStatus = 'active' | 'inactive';

export interface Employee extends EmployeeAttributes {
  id: string;
  organizationId: string;
  source: EmployeeSource;
  status: EmployeeStatus;
  entraObjectId: string | null;
  attributesHash: string | null;
  firstSeenAt: string;
  /** When a sync last wrote this record (creation, change, deactivation, reactivation). */
  lastSyncedAt: string | null;
  deactivatedAt: string | null;
  updatedAt: string;
  /** The manager of an employee imported from CSV, by email (Microsoft employees name theirs by managerId). */
  importedManagerEmail: string | null;
}

// Rows per INSERT statement: 24 columns × 400 stays far below SQLite's and PostgreSQL's
// parameter limits, and every full chunk is the same SQL text, so SQLite prepares it once.
const rowsPerStatement = 400;
// Ids per `in (…)` lookup.
const idsPerLookup = 1000;

/** Columns an upsert may overwrite on an existing employee (every other column keeps its value). */
export type EmployeeUpdateColumn = Exclude<keyof EmployeeTable, 'id' | 'organization_id' | 'entra_object_id' | 'first_seen_at'>;

/** What Microsoft syncs own on a record: source and status, the attributes, the manager by Entra id. */
const microsoftColumns: readonly EmployeeUpdateColumn[] = [
  'source', 'status', 'email', 'given_name', 'surname', 'display_name', 'department', 'job_title', 'office_location', 'city', 'country',
  'preferred_language', 'entra_employee_id', 'company_name', 'manager_entra_id', 'attributes_hash', 'last_synced_at', 'deactivated_at', 'updated_at',
];

/**
 * SQLite's connection, handed to repositories only inside a transaction: statements prepared
 * once (and kept), run once a row. On SQLite that beats building a multi-row statement of a
 * few hundred rows (query building and parameter binding dominate, not the round trip).
 */
export interface PreparedRows {
  prepare(text: string): { run(...parameters: unknown[]): unknown };
}

/** Rows written before the event loop gets a turn (see runPerRow). */
const rowsBetweenTurns = 500;

/**
 * Runs `text` once a row of `rows`, binding `columns` in order. SQLite's calls block the event
 * loop, so every few hundred rows it gets a turn: a sync writing thousands of employees keeps
 * sending its next Graph requests meanwhile, instead of leaving the connections idle until
 * the whole batch is written.
 */
export async function runPerRow(prepared: PreparedRows, text: string, columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  const statement = prepared.prepare(text);
  for (let i = 0; i < rows.length; i += 1) {
    if (i > 0 && i % rowsBetweenTurns === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const row = rows[i]!;
    statement.run(columns.map((column) => row[column] ?? null));
  }
}

/**
 * The one writer of employee rows, for syncs and CSV imports alike, keyed on the Entra
 * object id (a sync: a replayed change is harmless) or on the employee id (an import),
 * overwriting only `update`: on SQLite in a transaction, one prepared upsert a row; else
 * multi-row upserts, a few hundred rows a statement (PostgreSQL: one round trip for each).
 */
export async function upsertEmployeeRows(
  db: Kysely<Database>,
  rows: ReadonlyArray<Insertable<EmployeeTable>>,
  key: 'entra_object_id' | 'id',
  update: readonly EmployeeUpdateColumn[],
  prepared?: PreparedRows,
): Promise<void> {
  if (rows.length === 0) return;
  if (prepared) {
    // Every caller builds its rows alike: the first row's columns are every row's.
    const columns = Object.keys(rows[0]!);
    const target = key === 'id' ? 'id' : 'organization_id, entra_object_id';
    const text = `insert into employees (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) on conflict (${target}) do update set ${update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    await runPerRow(prepared, text, columns, rows);
    return;
  }
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    await db
      .insertInto('employees')
      .values(rows.slice(i, i + rowsPerStatement))
      .onConflict((oc) =>
        (key === 'id' ? oc.column('id') : oc.columns(['organization_id', 'entra_object_id'])).doUpdateSet((eb) =>
          Object.fromEntries(update.map((column) => [column, eb.ref(`excluded.${column}`)])),
        ),
      )
      .execute();
  }
}

const storedColumns = ['id', 'entra_object_id', 'status', 'attributes_hash', 'email', 'display_name', 'manager_entra_id'] as const;

function storedEmployee(r: Pick<Selectable<EmployeeTable>, (typeof storedColumns)[number]>): StoredEmployee {
  return {
    id: r.id,
    entraObjectId: r.entra_object_id!,
    status: r.status as EmployeeStatus,
    hash: r.attributes_hash ?? '',
    email: r.email,
    displayName: r.display_name,
    managerId: r.manager_entra_id,
  };
}


export function toEmployee(row: Selectable<EmployeeTable>): Employee {
  return {
    id: row.id,
    organizationId: row.organization_id,
    source: row.source as EmployeeSource,
    status: row.status as EmployeeStatus,
    entraObjectId: row.entra_object_id,
    email: row.email,
    givenName: row.given_name,
    surname: row.surname,
    displayName: row.display_name,
    department: row.department,
    jobTitle: row.job_title,
    officeLocation: row.office_location,
    city: row.city,
    country: row.country,
    preferredLanguage: row.preferred_language,
    employeeId: row.entra_employee_id,
    companyName: row.company_name,
    managerId: row.manager_entra_id,
    attributesHash: row.attributes_hash,
    firstSeenAt: row.first_seen_at,
    lastSyncedAt: row.last_synced_at,
    deactivatedAt: row.deactivated_at,
    updatedAt: row.updated_at,
    importedManagerEmail: row.manager_email ?? null,
  };
}

function attributeColumns(a: EmployeeAttributes) {
  return {
    email: a.email,
    given_name: a.givenName,
    surname: a.surname,
    display_name: a.displayName,
    department: a.department,
    job_title: a.jobTitle,
    office_location: a.officeLocation,
    city: a.city,
    country: a.country,
    preferred_language: a.preferredLanguage,
    entra_employee_id: a.employeeId,
    company_name: a.companyName,
    manager_entra_id: a.managerId,
  };
}

export interface EmployeeListQuery {
  status?: EmployeeStatus;
  limit?: number;
  offset?: number;
}

export function employeeRepository(db: Kysely<Database>, prepared?: PreparedRows) {
  return {
    /** What the diff needs about the Microsoft-synced employees with these Entra ids (one page of a run), by Entra id. */
    async storedByEntraIds(organizationId: string, entraObjectIds: readonly string[]): Promise<Map<string, StoredEmployee>> {
      const out = new Map<string, StoredEmployee>();
      for (let i = 0; i < entraObjectIds.length; i += idsPerLookup) {
        const rows = await db
          .selectFrom('employees')
          .select(storedColumns)
          .where('organization_id', '=', organizationId)
          .where('source', '=', 'microsoft')
          .where('entra_object_id', 'in', entraObjectIds.slice(i, i + idsPerLookup))
          .execute();
        for (const row of rows) out.set(row.entra_object_id!, storedEmployee(row));
      }
      return out;
    },

    /**
     * Active Microsoft-synced employees in id order, `limit` after `afterId`: a run walks them
     * this way to find who was not read, without holding the directory in memory.
     */
    async activeSyncedAfter(organizationId: string, afterId: string | null, limit: number): Promise<StoredEmployee[]> {
      let select = db
        .selectFrom('employees')
        .select(storedColumns)
        .where('organization_id', '=', organizationId)
        .where('status', '=', 'active')
        .where('source', '=', 'microsoft')
        .where('entra_object_id', 'is not', null);
      if (afterId !== null) select = select.where('id', '>', afterId);
      return (await select.orderBy('id').limit(limit).execute()).map(storedEmployee);
    },

    /** Entra ids of the active Microsoft-synced employees whose manager is one of these. */
    async activeReportsOf(organizationId: string, managerEntraIds: readonly string[]): Promise<string[]> {
      const out: string[] = [];
      for (let i = 0; i < managerEntraIds.length; i += idsPerLookup) {
        const rows = await db
          .selectFrom('employees')
          .select('entra_object_id')
          .where('organization_id', '=', organizationId)
          .where('status', '=', 'active')
          .where('source', '=', 'microsoft')
          .where('manager_entra_id', 'in', managerEntraIds.slice(i, i + idsPerLookup))
          .execute();
        for (const row of rows) if (row.entra_object_id) out.push(row.entra_object_id);
      }
      return out;
    },

    /** How many Microsoft-synced employees are active: what the deletion guard measures against. */
    async countActiveSynced(organizationId: string): Promise<number> {
      const row = await db
        .selectFrom('employees')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('organization_id', '=', organizationId)
        .where('status', '=', 'active')
        .where('source', '=', 'microsoft')
        .where('entra_object_id', 'is not', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Whether the organization has any Microsoft-synced employee, active or not. */
    async anySynced(organizationId: string): Promise<boolean> {
      const row = await db
        .selectFrom('employees')
        .select('id')
        .where('organization_id', '=', organizationId)
        .where('source', '=', 'microsoft')
        .where('entra_object_id', 'is not', null)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * Writes creations, updates and reactivations as upserts keyed by Entra object id, so a
     * replayed change is harmless. Returns the employee id of each change, in order.
     */
    async applyChanges(organizationId: string, changes: readonly EmployeeChange[], at: string): Promise<string[]> {
      const ids: string[] = [];
      const rows: Array<Insertable<EmployeeTable>> = [];
      for (const change of changes) {
        const id = change.employeeId ?? newRecordId();
        ids.push(id);
        rows.push({
          id,
          organization_id: organizationId,
          source: 'microsoft',
          status: 'active',
          entra_object_id: change.entraObjectId,
          ...attributeColumns(change.attributes),
          attributes_hash: change.hash,
          first_seen_at: at,
          last_synced_at: at,
          deactivated_at: null,
          updated_at: at,
        });
      }
      await upsertEmployeeRows(db, rows, 'entra_object_id', microsoftColumns, prepared);
      return ids;
    },

    /** Marks employees inactive; never deletes, so a returning person keeps the same record. */
    async deactivate(organizationId: string, employeeIds: readonly string[], at: string): Promise<void> {
      for (let i = 0; i < employeeIds.length; i += idsPerLookup) {
        await db
          .updateTable('employees')
          .set({ status: 'inactive', deactivated_at: at, last_synced_at: at, updated_at: at })
          .where('organization_id', '=', organizationId)
          .where('status', '=', 'active')
          .where('id', 'in', employeeIds.slice(i, i + idsPerLookup))
          .execute();
      }
    },

    /** The mapped attributes of some employees, by employee id. */
    async attributesOf(organizationId: string, employeeIds: readonly string[]): Promise<Map<string, EmployeeAttributes>> {
      const out = new Map<string, EmployeeAttributes>();
      for (let i = 0; i < employeeIds.length; i += 1000) {
        // By primary key alone, the organization checked here: with `organization_id = ?` in the
        // query, SQLite (no statistics gathered) walked the organization's email index instead,
        // every employee of it for each thousand ids — 1.1 s of a 10,000-change sync.
        const rows = await db.selectFrom('employees').selectAll().where('id', 'in', employeeIds.slice(i, i + 1000)).execute();
        for (const row of rows) {
          if (row.organization_id !== organizationId) continue;
          const { email, givenName, surname, displayName, department, jobTitle, officeLocation, city, country, preferredLanguage, employeeId, companyName, managerId } = toEmployee(row);
          out.set(row.id, { email, givenName, surname, displayName, department, jobTitle, officeLocation, city, country, preferredLanguage, employeeId, companyName, managerId });
        }
      }
      return out;
    },

    async get(organizationId: string, employeeId: string): Promise<Employee | undefined> {
      const row = await db.selectFrom('employees').selectAll().where('organization_id', '=', organizationId).where('id', '=', employeeId).executeTakeFirst();
      return row && toEmployee(row);
    },

    async findByEntraObjectId(organizationId: string, entraObjectId: string): Promise<Employee | undefined> {
      const row = await db
        .selectFrom('employees')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('entra_object_id', '=', entraObjectId)
        .executeTakeFirst();
      return row && toEmployee(row);
    },

    /** The directory, by email. */
    async list(organizationId: string, query: EmployeeListQuery = {}): Promise<Employee[]> {
      let select = db.selectFrom('employees').selectAll().where('organization_id', '=', organizationId);
      if (query.status) select = select.where('status', '=', query.status);
      select = select.orderBy('email').orderBy('id');
      if (query.limit !== undefined) select = select.limit(query.limit).offset(query.offset ?? 0);
      return (await select.execute()).map(toEmployee);
    },

    async count(organizationId: string, status?: EmployeeStatus): Promise<number> {
      let select = db.selectFrom('employees').select((eb) => eb.fn.countAll().as('n')).where('organization_id', '=', organizationId);
      if (status) select = select.where('status', '=', status);
      const row = await select.executeTakeFirstOrThrow();
      // PostgreSQL returns count(*) as a bigint string.
      return Number(row.n);
    },
  };
}

