import { departmentListSchema, employeePageSchema } from '@users-sync/api/contract/index';
import { ApiHarness } from './api-harness';
import { storeImportedEmployee } from './imported-employee';

type Run = { id: string; status: string };

describe('filtering the employee list', () => {
  let api: ApiHarness;
  let token: string;
  const list = async (query: string) => employeePageSchema.parse((await api.call('GET', `/api/employees?limit=200&${query}`, { token })).body);
  const departments = async (query = '') => departmentListSchema.parse((await api.call('GET', `/api/employees/departments${query}`, { token })).body);
  let leaver: { email: string; department: string | null };

  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 40, groups: 1, seed: 8, disabledShare: 0, guestShare: 0, noMailboxShare: 0 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
    await api.consent(token, api.adminUpn);
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' } } });
    await api.settledRun(token, saved.body.run.id);
    leaver = (await list('')).employees.find((e) => e.department && e.email !== api.adminUpn)!;
    await api.emulator.control.disableUser(api.tenant.tenantId, leaver.email);
    const run = await api.call<Run>('POST', '/api/sync/runs', { token, body: {} });
    expect((await api.settledRun<Run>(token, run.body.id)).status).toBe('succeeded');
    const organizationId = (await api.app.services.store.organizations.list())[0]!.id;
    await storeImportedEmployee(api.app.services.store, organizationId, { email: 'imported@contoso.com', department: leaver.department! });
  });
  afterAll(() => api.stop());

  it('shows only inactive people when asked, and only active ones otherwise', async () => {
    expect((await list('status=inactive')).employees.map((e) => e.email)).toEqual([leaver.email]);
    const active = await list('status=active');
    expect(active.employees.every((e) => e.status === 'active')).toBe(true);
    expect(active.total).toBe((await list('')).total - 1);
  });

  it('separates employees synced from Microsoft from those imported by CSV', async () => {
    expect((await list('source=csv')).employees.map((e) => e.email)).toEqual(['imported@contoso.com']);
    const microsoft = await list('source=microsoft');
    expect(microsoft.total).toBe((await list('')).total - 1);
    expect(microsoft.employees.every((e) => e.source === 'microsoft')).toBe(true);
  });

  it('offers every department with its head count, and the filter finds exactly those people', async () => {
    const everyone = (await list('')).employees;
    const { departments: offered, truncated } = await departments();
    expect(truncated).toBe(false);
    const expected = new Map<string, number>();
    for (const e of everyone) if (e.department) expected.set(e.department, (expected.get(e.department) ?? 0) + 1);
    expect(offered).toEqual([...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, employees]) => ({ name, employees })));
    const shown = await list(`department=${encodeURIComponent(leaver.department!)}`);
    expect(shown.total).toBe(expected.get(leaver.department!));
  });

  it('combines filters: active people of one department from Microsoft', async () => {
    const shown = await list(`department=${encodeURIComponent(leaver.department!)}&status=active&source=microsoft`);
    expect(shown.employees.map((e) => e.email)).not.toContain(leaver.email);
    expect(shown.employees.map((e) => e.email)).not.toContain('imported@contoso.com');
    expect(shown.employees.every((e) => e.department === leaver.department && e.status === 'active' && e.source === 'microsoft')).toBe(true);
    const activeInDepartment = (await departments('?status=active')).departments.find((d) => d.name === leaver.department)!;
    expect(activeInDepartment.employees).toBe(shown.total + 1); // + the imported one, also active
  });
});
