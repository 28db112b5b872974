import type { Server } from 'restify';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { scopePaths } from '../../domain';
import { pageCursor } from '../page-cursor';
import { ApiProblem } from '../problem';
import { employeeChangeRepresentation, employeeRepresentation } from '../representations/employee';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

const EXPORT_PAGE = 1000;
const MAX_DEPARTMENTS = 1000;

/** Columns of the CSV export, in the order a spreadsheet shows them. */
const exportColumns = [
  ['email', 'Email'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['displayName', 'Display name'],
  ['department', 'Department'],
  ['jobTitle', 'Job title'],
  ['office', 'Office'],
  ['city', 'City'],
  ['country', 'Country'],
  ['preferredLanguage', 'Language'],
  ['employeeId', 'Employee ID'],
  ['company', 'Company'],
  ['managerEmail', 'Manager email'],
  ['status', 'Status'],
  ['source', 'Source'],
] as const;

const cursor = pageCursor(['email', 'id'], 'employee list');

export function serveEmployees(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { store } = services;

  serveRoute(server, 'listEmployees', authenticate, async ({ principal, query }) => {
    const page = await store.employeeSearch.search(principal.organizationId, {
      ...(query.search ? { search: query.search } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.source ? { source: query.source } : {}),
      ...(query.department ? { department: query.department } : {}),
      after: cursor.decode(query.cursor),
      limit: query.limit,
    });
    return {
      employees: page.employees.map((e) => employeeRepresentation(e, e.managerEmail)),
      total: page.total,
      nextCursor: page.last ? cursor.encode(page.last) : null,
    };
  });

  serveRoute(server, 'listDepartments', authenticate, async ({ principal, query }) => {
    const departments = await store.employeeSearch.departments(principal.organizationId, { ...(query.status ? { status: query.status } : {}), limit: MAX_DEPARTMENTS + 1 });
    return { departments: departments.slice(0, MAX_DEPARTMENTS), truncated: departments.length > MAX_DEPARTMENTS };
  });

  // Streams the whole directory a page at a time, so a large one never sits in memory;
  // a download the person abandons stops the reading too.
  serveRoute(server, 'exportEmployees', authenticate, async ({ principal, res }) => {
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="employees-${new Date().toISOString().slice(0, 10)}.csv"`,
    });
    async function* rows() {
      let after: { email: string; id: string } | undefined;
      do {
        const page = await store.employeeSearch.search(principal.organizationId, { after, limit: EXPORT_PAGE });
        for (const employee of page.employees) yield employeeRepresentation(employee, employee.managerEmail);
        after = page.last;
      } while (after);
    }
    const csv = stringify({
      header: true,
      columns: exportColumns.map(([key, header]) => ({ key, header })),
      bom: true,
      // A name such as =HYPERLINK(…) comes from Entra (a guest chooses their own): never a formula in a spreadsheet.
      escape_formulas: true,
    });
    await pipeline(Readable.from(rows()), csv, res).catch((error: unknown) => {
      if (!res.destroyed) throw error;
    });
  });

  serveRoute(server, 'getEmployee', authenticate, async ({ principal, params }) => {
    const employee = params.employeeId ? await store.employees.get(principal.organizationId, params.employeeId) : undefined;
    if (!employee) throw new ApiProblem(404, 'EMPLOYEE_NOT_FOUND', 'This employee does not exist in your directory. Search the employee list again.');
    const changes = await store.changes.list(principal.organizationId, { employeeId: employee.id, limit: 200 });
    const tree = (await store.deltaStates.get(principal.organizationId))?.groupTree;
    return {
      scopePaths: tree && employee.entraObjectId ? scopePaths(tree, employee.entraObjectId) : null,
      employee: employeeRepresentation(employee, employee.importedManagerEmail ?? (await store.employeeSearch.managerEmail(principal.organizationId, employee.managerId))),
      changes: changes.map(employeeChangeRepresentation),
    };
  });
}
