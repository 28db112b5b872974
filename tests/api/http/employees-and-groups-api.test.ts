import { parse } from 'csv-parse/sync';
import { ApiHarness } from './api-harness';

type Employee = { id: string; email: string; displayName: string; department: string | null; status: string; source: string; managerEmail: string | null };
type Page = { employees: Employee[]; total: number; nextCursor: string | null };
type Problem = { code: string; detail: string };

describe('the directory and the group picker through the api', () => {
  let api: ApiHarness;
  let token: string;
  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 80, groups: 6, seed: 5, disabledShare: 0, guestShare: 0, noMailboxShare: 0 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
    await api.consent(token, api.adminUpn);
    const saved = await api.call<{ run: { id: string } }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' } } });
    for (let i = 0; i < 200; i += 1) {
      const run = await api.call<{ status: string }>('GET', `/api/sync/runs/${saved.body.run.id}`, { token });
      if (run.body.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(() => api.stop());

  it('pages through every employee exactly once, in email order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let total = 0;
    do {
      const page: { body: Page } = await api.call<Page>('GET', `/api/employees?limit=25${cursor ? `&cursor=${cursor}` : ''}`, { token });
      seen.push(...page.body.employees.map((e) => e.email));
      total = page.body.total;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(total);
    expect(total).toBe(80);
    expect([...seen].sort()).toEqual(seen);
  });

  it('finds employees by name or email, and filters by department and status', async () => {
    const all = (await api.call<Page>('GET', '/api/employees?limit=200', { token })).body.employees;
    const someone = all.find((e) => e.department)!;
    const byName = await api.call<Page>('GET', `/api/employees?search=${encodeURIComponent(someone.displayName.toUpperCase())}`, { token });
    expect(byName.body.employees.map((e) => e.id)).toContain(someone.id);
    const byDepartment = await api.call<Page>('GET', `/api/employees?department=${encodeURIComponent(someone.department!)}&limit=200`, { token });
    expect(byDepartment.body.employees.every((e) => e.department === someone.department)).toBe(true);
    expect(byDepartment.body.total).toBe(all.filter((e) => e.department === someone.department).length);
    expect((await api.call<Page>('GET', '/api/employees?status=inactive', { token })).body.total).toBe(0);
    const bad = await api.call<Problem>('GET', '/api/employees?status=gone', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_QUERY');
  });

  it('shows one employee with its manager and its change log', async () => {
    const all = (await api.call<Page>('GET', '/api/employees?limit=200', { token })).body.employees;
    const managed = all.find((e) => e.managerEmail)!;
    await api.emulator.control.updateUser(api.tenant.tenantId, managed.email, { jobTitle: 'Chief Listener' });
    const run = await api.call<{ id: string }>('POST', '/api/sync/runs', { token, body: {} });
    for (let i = 0; i < 200; i += 1) {
      if ((await api.call<{ status: string }>('GET', `/api/sync/runs/${run.body.id}`, { token })).body.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const detail = await api.call<{ employee: Employee & { jobTitle: string }; changes: Array<{ action: string; changedFields: string[]; runId: string }> }>('GET', `/api/employees/${managed.id}`, { token });
    expect(detail.status).toBe(200);
    expect(detail.body.employee.jobTitle).toBe('Chief Listener');
    expect(detail.body.employee.managerEmail).toBe(managed.managerEmail);
    expect(detail.body.changes.map((c) => c.action)).toEqual(expect.arrayContaining(['created', 'updated']));
    expect(detail.body.changes.find((c) => c.action === 'updated')).toMatchObject({ runId: run.body.id, changedFields: ['jobTitle'] });
    const missing = await api.call<Problem>('GET', '/api/employees/nobody', { token });
    expect(missing.status).toBe(404);
  });

  it('exports the directory as CSV a spreadsheet opens', async () => {
    const res = await fetch(`${api.baseUrl}/api/employees/export.csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="employees-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parse(await res.text(), { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(80);
    expect(Object.keys(rows[0]!)).toEqual(['Email', 'First name', 'Last name', 'Display name', 'Department', 'Job title', 'Office', 'City', 'Country', 'Language', 'Employee ID', 'Company', 'Manager email', 'Status', 'Source']);
    expect(rows.every((r) => r.Status === 'active' && r.Source === 'microsoft')).toBe(true);
  });

  it('never exports a value a spreadsheet would run as a formula', async () => {
    const guest = await api.emulator.control.createUser(api.tenant.tenantId, {
      displayName: '=HYPERLINK("http://evil.example","click")',
      department: '+cmd|calc',
      userPrincipalName: `formula@${api.tenant.defaultDomain}`,
      mail: `formula@${api.tenant.defaultDomain}`,
    });
    const run = await api.call<{ id: string }>('POST', '/api/sync/runs', { token, body: {} });
    for (let i = 0; i < 200; i += 1) {
      if ((await api.call<{ status: string }>('GET', `/api/sync/runs/${run.body.id}`, { token })).body.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await fetch(`${api.baseUrl}/api/employees/export.csv`, { headers: { authorization: `Bearer ${token}` } });
    const rows = parse(await res.text(), { columns: true, bom: true }) as Array<Record<string, string>>;
    const row = rows.find((r) => r.Email === guest.mail)!;
    expect(row['Display name']).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(row.Department).toBe(`'+cmd|calc`);
  });

  it('searches groups by the start of their name, with member counts, for the picker', async () => {
    const res = await api.call<{ groups: Array<{ id: string; displayName: string; memberCount: number | null }>; nextCursor: string | null }>('GET', '/api/microsoft/groups?search=ars', { token });
    expect(res.status).toBe(200);
    expect(res.body.groups.map((g) => g.displayName)).toContain('arsen');
    const arsen = res.body.groups.find((g) => g.displayName === 'arsen')!;
    const direct = (await api.emulator.control.group(api.tenant.tenantId, arsen.id)).memberIds.length;
    expect(arsen.memberCount).toBe(direct);
  });

  it('pages the group picker through Graph’s nextLink, and refuses a cursor pointing elsewhere', async () => {
    for (let i = 0; i < 30; i += 1) await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: `Project ${String(i).padStart(2, '0')}` });
    const first = await api.call<{ groups: Array<{ id: string }>; nextCursor: string | null }>('GET', '/api/microsoft/groups?search=Project', { token });
    expect(first.body.groups).toHaveLength(25);
    const second = await api.call<{ groups: Array<{ id: string }>; nextCursor: string | null }>('GET', `/api/microsoft/groups?cursor=${first.body.nextCursor}`, { token });
    expect(second.body.groups).toHaveLength(5);
    expect(second.body.nextCursor).toBeNull();
    const evil = Buffer.from('https://attacker.example/v1.0/groups?$skiptoken=x').toString('base64url');
    const refused = await api.call<Problem>('GET', `/api/microsoft/groups?cursor=${evil}`, { token });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('INVALID_CURSOR');
  });

  it('names chosen groups by id, a deleted one as deleted, for tags a search page did not bring', async () => {
    const kept = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Zeta far down the list' });
    const doomed = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Soon deleted', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false });
    await api.emulator.control.deleteGroup(api.tenant.tenantId, doomed.id);
    const res = await api.call<{ groups: Array<{ id: string; displayName: string }>; nextCursor: string | null }>('GET', `/api/microsoft/groups?ids=${kept.id},${doomed.id}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: kept.id, displayName: 'Zeta far down the list' }),
        expect.objectContaining({ id: doomed.id, displayName: 'Deleted group (no longer in Entra ID)' }),
      ]),
    );
    const refused = await api.call<Problem>('GET', `/api/microsoft/groups?ids=${encodeURIComponent("x' or 1 eq 1")}`, { token });
    expect(refused.status).toBe(400);
  });

  it('serves its OpenAPI document to anyone', async () => {
    const res = await api.call<{ openapi: string; paths: Record<string, unknown> }>('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toContain('/api/sync/runs/{runId}/events');
  });

  it('answers an unknown api route with a problem, not the tab page', async () => {
    const res = await api.call<Problem>('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });
});
