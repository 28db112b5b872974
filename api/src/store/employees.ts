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

// Rows per INSERT statement: 23 columns × 400 stays far below SQLite's and PostgreSQL's parameter limits.
const rowsPerStatement = 400;

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

export function employeeRepository(db: Kysely<Database>) {
  return {
    /** What the diff needs about every Microsoft-synced employee of the organization. */
    async storedForSync(organizationId: string): Promise<StoredEmployee[]> {
      const rows = await db
        .selectFrom('employees')
        .select(['id', 'entra_object_id', 'status', 'attributes_hash', 'email', 'display_name', 'manager_entra_id'])
        .where('organization_id', '=', organizationId)
        .where('source', '=', 'microsoft')
        .where('entra_object_id', 'is not', null)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        entraObjectId: r.entra_object_id!,
        status: r.status as EmployeeStatus,
        hash: r.attributes_hash ?? '',
        email: r.email,
        displayName: r.display_name,
        managerId: r.manager_entra_id,
      }));
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
      for (let i = 0; i < rows.length; i += rowsPerStatement) {
        await db
          .insertInto('employees')
          .values(rows.slice(i, i + rowsPerStatement))
          .onConflict((oc) =>
            oc.columns(['organization_id', 'entra_object_id']).doUpdateSet((eb) => ({
              source: 'microsoft',
              status: 'active',
              email: eb.ref('excluded.email'),
              given_name: eb.ref('excluded.given_name'),
              surname: eb.ref('excluded.surname'),
              display_name: eb.ref('excluded.display_name'),
              department: eb.ref('excluded.department'),
              job_title: eb.ref('excluded.job_title'),
              office_location: eb.ref('excluded.office_location'),
              city: eb.ref('excluded.city'),
              country: eb.ref('excluded.country'),
              preferred_language: eb.ref('excluded.preferred_language'),
              entra_employee_id: eb.ref('excluded.entra_employee_id'),
              company_name: eb.ref('excluded.company_name'),
              manager_entra_id: eb.ref('excluded.manager_entra_id'),
              attributes_hash: eb.ref('excluded.attributes_hash'),
              last_synced_at: eb.ref('excluded.last_synced_at'),
              deactivated_at: null,
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      return ids;
    },

    /** Marks employees inactive; never deletes, so a returning person keeps the same record. */
    async deactivate(organizationId: string, employeeIds: readonly string[], at: string): Promise<void> {
      for (let i = 0; i < employeeIds.length; i += 1000) {
        await db
          .updateTable('employees')
          .set({ status: 'inactive', deactivated_at: at, last_synced_at: at, updated_at: at })
          .where('organization_id', '=', organizationId)
          .where('status', '=', 'active')
          .where('id', 'in', employeeIds.slice(i, i + 1000))
          .execute();
      }
    },

    /** The mapped attributes of some employees, by employee id. */
    async attributesOf(organizationId: string, employeeIds: readonly string[]): Promise<Map<string, EmployeeAttributes>> {
      const out = new Map<string, EmployeeAttributes>();
      for (let i = 0; i < employeeIds.length; i += 1000) {
        const rows = await db
          .selectFrom('employees')
          .selectAll()
          .where('organization_id', '=', organizationId)
          .where('id', 'in', employeeIds.slice(i, i + 1000))
          .execute();
        for (const row of rows) {
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

