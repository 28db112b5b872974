import { type ExpressionBuilder, type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { EmployeeAttributes, EmployeeChange, StoredEmployee } from '../domain';
import { type BulkEngine, insertColumnArrays, runPerRow } from './bulk-rows';
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

// Rows per INSERT statement (SQLite outside a transaction): 24 columns × 400 stays far below
// SQLite's parameter limit, and every full chunk is the same SQL text, so SQLite prepares it once.
const rowsPerStatement = 400;
// Ids per lookup: SQLite, an `in (…)` list of parameters; PostgreSQL, one array parameter.
const idsPerLookup = { sqlite: 1_000, postgres: 50_000 } as const;

type EmployeeTextColumn = 'id' | 'entra_object_id' | 'manager_entra_id';

/**
 * `column` is one of `ids`: on PostgreSQL `= any($1::text[])`, one parameter whatever the
 * number of ids (the same plan as `in`, an index scan, without binding a parameter an id).
 */
function among(engine: BulkEngine, eb: ExpressionBuilder<Database, 'employees'>, column: EmployeeTextColumn, ids: readonly string[]) {
  return engine.kind === 'postgres' ? eb(column, '=', sql<string>`any(${ids}::text[])`) : eb(column, 'in', ids);
}

/** `ids` in chunks of one lookup each. */
function lookupChunks(engine: BulkEngine, ids: readonly string[]): string[][] {
  const size = idsPerLookup[engine.kind];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  return chunks;
}

/** Columns an upsert may overwrite on an existing employee (every other column keeps its value). */
export type EmployeeUpdateColumn = Exclude<keyof EmployeeTable, 'id' | 'organization_id' | 'entra_object_id' | 'first_seen_at'>;

/** What Microsoft syncs own on a record: source and status, the attributes, the manager by Entra id. */
const microsoftColumns: readonly EmployeeUpdateColumn[] = [
  'source', 'status', 'email', 'given_name', 'surname', 'display_name', 'department', 'job_title', 'office_location', 'city', 'country',
  'preferred_language', 'entra_employee_id', 'company_name', 'manager_entra_id', 'attributes_hash', 'last_synced_at', 'deactivated_at', 'updated_at',
];

/**
 * The one writer of employee rows, for syncs and CSV imports alike, keyed on the Entra
 * object id (a sync: a replayed change is harmless) or on the employee id (an import),
 * overwriting only `update`: on SQLite in a transaction, one prepared upsert a row; on
 * PostgreSQL, a few thousand rows a statement as column arrays; else (SQLite outside a
 * transaction) multi-row upserts of a few hundred rows.
 */
export async function upsertEmployeeRows(
  db: Kysely<Database>,
  rows: ReadonlyArray<Insertable<EmployeeTable>>,
  key: 'entra_object_id' | 'id',
  update: readonly EmployeeUpdateColumn[],
  engine: BulkEngine,
): Promise<void> {
  if (rows.length === 0) return;
  const target = key === 'id' ? 'id' : 'organization_id, entra_object_id';
  const conflict = `on conflict (${target}) do update set ${update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  // Every caller builds its rows alike: the first row's columns are every row's.
  const columns = Object.keys(rows[0]!);
  if (engine.kind === 'postgres') {
    await insertColumnArrays(db, 'employees', columns, rows, conflict);
    return;
  }
  if (engine.prepared) {
    await runPerRow(engine.prepared, `insert into employees (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) ${conflict}`, columns, rows);
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
/** The columns of the mapped attributes (EmployeeAttributes). */
const attributeColumnNames = [
  'email', 'given_name', 'surname', 'display_name', 'department', 'job_title', 'office_location', 'city', 'country', 'preferred_language', 'entra_employee_id', 'company_name', 'manager_entra_id',
] as const;

/** A stored employee with the mapped attributes it holds: what an update replaces. */
export interface StoredEmployeeWithAttributes extends StoredEmployee {
  attributes: EmployeeAttributes;
}

/** The mapped attributes a row holds (the reverse of attributeColumns). */
function rowAttributes(r: Pick<Selectable<EmployeeTable>, (typeof attributeColumnNames)[number]>): EmployeeAttributes {
  return { ...rowProfile(r), managerId: r.manager_entra_id };
}

/** A row's profile: the attributes a sync and a CSV import both hold, all but the manager (by Entra id or by email). */
export function rowProfile(r: Pick<Selectable<EmployeeTable>, Exclude<(typeof attributeColumnNames)[number], 'manager_entra_id'>>): Omit<EmployeeAttributes, 'managerId'> {
  return {
    email: r.email,
    givenName: r.given_name,
    surname: r.surname,
    displayName: r.display_name,
    department: r.department,
    jobTitle: r.job_title,
    officeLocation: r.office_location,
    city: r.city,
    country: r.country,
    preferredLanguage: r.preferred_language,
    employeeId: r.entra_employee_id,
    companyName: r.company_name,
  };
}

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
    ...rowAttributes(row),
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

export function employeeRepository(db: Kysely<Database>, engine: BulkEngine) {
  const syncedByEntraIds = (organizationId: string, ids: readonly string[]) =>
    db
      .selectFrom('employees')
      .where('organization_id', '=', organizationId)
      .where('source', '=', 'microsoft')
      .where((eb) => among(engine, eb, 'entra_object_id', ids));
  return {
    /** What the diff needs about the Microsoft-synced employees with these Entra ids (one page of a run), by Entra id. */
    async storedByEntraIds(organizationId: string, entraObjectIds: readonly string[]): Promise<Map<string, StoredEmployee>> {
      const out = new Map<string, StoredEmployee>();
      for (const ids of lookupChunks(engine, entraObjectIds)) {
        for (const row of await syncedByEntraIds(organizationId, ids).select(storedColumns).execute()) out.set(row.entra_object_id!, storedEmployee(row));
      }
      return out;
    },

    /**
     * The same, with the mapped attributes each holds: for users who most likely changed (an
     * incremental round's), so the change log's list of changed attributes needs no second read.
     */
    async storedWithAttributesByEntraIds(organizationId: string, entraObjectIds: readonly string[]): Promise<Map<string, StoredEmployeeWithAttributes>> {
      const out = new Map<string, StoredEmployeeWithAttributes>();
      for (const ids of lookupChunks(engine, entraObjectIds)) {
        for (const row of await syncedByEntraIds(organizationId, ids).select([...storedColumns, ...attributeColumnNames]).execute()) {
          out.set(row.entra_object_id!, { ...storedEmployee(row), attributes: rowAttributes(row) });
        }
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
      for (const ids of lookupChunks(engine, managerEntraIds)) {
        const rows = await db
          .selectFrom('employees')
          .select('entra_object_id')
          .where('organization_id', '=', organizationId)
          .where('status', '=', 'active')
          .where('source', '=', 'microsoft')
          .where((eb) => among(engine, eb, 'manager_entra_id', ids))
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

    /**
     * PostgreSQL plans a run's page lookups (a page's employees by Entra id) from its statistics
     * of the table. Right after a large load — a first sync, a big import — they still describe
     * the table before it, and the plan is a bitmap scan of every employee of the organization
     * (through an index on organization_id and another column) instead of the Entra id index:
     * measured on 100,000 employees, 50–60 ms instead of under 1 ms a lookup, a thousand
     * lookups a re-sync. Autovacuum analyzes only after a minute or more, so the store refreshes
     * them itself when they lag ("Run ANALYZE Afterwards", https://www.postgresql.org/docs/current/populate.html):
     * never analyzed, or more rows written since than a tenth of what it counted then. A run or
     * an import that wrote rows says how many (`rowsJustWritten`): the statistics counters reach
     * pg_stat_user_tables late (up to seconds after the writing session goes idle), and counting
     * the table instead would cost every run a scan of every organization's employees.
     * A no-op on SQLite, whose planner prefers the unique index without statistics.
     */
    async refreshPlannerStatistics(rowsJustWritten = 0): Promise<void> {
      if (engine.kind !== 'postgres') return;
      const { rows } = await sql<{ counted: number; modified: string | null }>`
        select c.reltuples as counted, s.n_mod_since_analyze as modified
        from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
        where c.oid = 'employees'::regclass`.execute(db);
      const stats = rows[0];
      if (!stats) return;
      const counted = Math.max(0, Number(stats.counted));
      const drift = Math.max(Number(stats.modified ?? 0), rowsJustWritten);
      if (Number(stats.counted) >= 0 && drift <= 1_000 + counted / 10) return;
      await sql`analyze employees`.execute(db);
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
      await upsertEmployeeRows(db, rows, 'entra_object_id', microsoftColumns, engine);
      return ids;
    },

    /** Marks employees inactive; never deletes, so a returning person keeps the same record. */
    async deactivate(organizationId: string, employeeIds: readonly string[], at: string): Promise<void> {
      for (const ids of lookupChunks(engine, employeeIds)) {
        await db
          .updateTable('employees')
          .set({ status: 'inactive', deactivated_at: at, last_synced_at: at, updated_at: at })
          .where('organization_id', '=', organizationId)
          .where('status', '=', 'active')
          .where((eb) => among(engine, eb, 'id', ids))
          .execute();
      }
    },

    /** The mapped attributes of some employees, by employee id. */
    async attributesOf(organizationId: string, employeeIds: readonly string[]): Promise<Map<string, EmployeeAttributes>> {
      const out = new Map<string, EmployeeAttributes>();
      for (const ids of lookupChunks(engine, employeeIds)) {
        // By primary key alone, the organization checked here: with `organization_id = ?` in the
        // query, SQLite (no statistics gathered) walked the organization's email index instead,
        // every employee of it for each thousand ids — 1.1 s of a 10,000-change sync.
        const rows = await db.selectFrom('employees').selectAll().where((eb) => among(engine, eb, 'id', ids)).execute();
        for (const row of rows) if (row.organization_id === organizationId) out.set(row.id, rowAttributes(row));
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

