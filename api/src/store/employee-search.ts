import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';
import { toEmployee, type Employee, type EmployeeSource, type EmployeeStatus } from './employees';

export interface EmployeeSearch {
  search?: string;
  status?: EmployeeStatus;
  source?: EmployeeSource;
  department?: string;
  /** The last (email, id) of the previous page. */
  after?: { email: string; id: string };
  limit: number;
}

export interface EmployeeSearchPage {
  employees: Array<Employee & { managerEmail: string | null }>;
  total: number;
  /** Present when more follow. */
  last?: { email: string; id: string };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The directory as the tab pages through it: search, filters, stable keyset paging. */
export function employeeSearchRepository(db: Kysely<Database>) {
  return {
    async search(organizationId: string, query: EmployeeSearch): Promise<EmployeeSearchPage> {
      let filtered = db.selectFrom('employees as e').where('e.organization_id', '=', organizationId);
      if (query.status) filtered = filtered.where('e.status', '=', query.status);
      if (query.source) filtered = filtered.where('e.source', '=', query.source);
      if (query.department) filtered = filtered.where('e.department', '=', query.department);
      if (query.search) {
        const pattern = `%${escapeLike(query.search.toLowerCase())}%`;
        // SQLite's LIKE has no escape character unless told: say it, for both databases alike.
        const contains = (column: 'e.email' | 'e.display_name' | 'e.department' | 'e.job_title') => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
        filtered = filtered.where((eb) => eb.or([contains('e.email'), contains('e.display_name'), contains('e.department'), contains('e.job_title')]));
      }
      const totalRow = await filtered.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();

      let page = filtered
        .leftJoin('employees as m', (join) => join.onRef('m.organization_id', '=', 'e.organization_id').onRef('m.entra_object_id', '=', 'e.manager_entra_id'))
        .selectAll('e')
        .select('m.email as entra_manager_email');
      if (query.after) {
        const { email, id } = query.after;
        page = page.where((eb) => eb.or([eb('e.email', '>', email), eb.and([eb('e.email', '=', email), eb('e.id', '>', id)])]));
      }
      const rows = await page.orderBy('e.email').orderBy('e.id').limit(query.limit + 1).execute();
      const more = rows.length > query.limit;
      // A Microsoft employee's manager is another Microsoft employee; an imported one's is named by email.
      const employees = rows.slice(0, query.limit).map((row) => ({ ...toEmployee(row), managerEmail: row.entra_manager_email ?? row.manager_email ?? null }));
      const lastRow = employees[employees.length - 1];
      return { employees, total: Number(totalRow.n), ...(more && lastRow ? { last: { email: lastRow.email, id: lastRow.id } } : {}) };
    },

    /** How many employees there are, by source and status (the dashboard's figures). */
    async tally(organizationId: string): Promise<Array<{ source: EmployeeSource; status: EmployeeStatus; count: number }>> {
      const rows = await db
        .selectFrom('employees')
        .select(['source', 'status', (eb) => eb.fn.countAll().as('n')])
        .where('organization_id', '=', organizationId)
        .groupBy(['source', 'status'])
        .execute();
      return rows.map((row) => ({ source: row.source as EmployeeSource, status: row.status as EmployeeStatus, count: Number(row.n) }));
    },

    /** Distinct departments by name, with how many employees (of one status, if given) each has. */
    async departments(organizationId: string, query: { status?: EmployeeStatus; limit: number }): Promise<Array<{ name: string; employees: number }>> {
      let select = db
        .selectFrom('employees')
        .select(['department', (eb) => eb.fn.countAll().as('n')])
        .where('organization_id', '=', organizationId)
        .where('department', 'is not', null)
        .where('department', '!=', '');
      if (query.status) select = select.where('status', '=', query.status);
      const rows = await select.groupBy('department').orderBy('department').limit(query.limit).execute();
      return rows.map((row) => ({ name: row.department!, employees: Number(row.n) }));
    },

    async managerEmail(organizationId: string, managerEntraId: string | null): Promise<string | null> {
      if (!managerEntraId) return null;
      const row = await db.selectFrom('employees').select('email').where('organization_id', '=', organizationId).where('entra_object_id', '=', managerEntraId).executeTakeFirst();
      return row?.email ?? null;
    },
  };
}
