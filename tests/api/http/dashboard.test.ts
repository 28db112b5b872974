import type { Dashboard } from '@users-sync/api/contract/index';
import { dashboardSchema } from '@users-sync/api/contract/index';
import { ApiHarness } from './api-harness';
import { storeImportedEmployee } from './imported-employee';

type Run = { id: string; status: string; queuedAt: string };

describe('the dashboard', () => {
  let api: ApiHarness;
  let token: string;
  const dashboard = async (): Promise<Dashboard> => {
    const answer = await api.call('GET', '/api/dashboard', { token });
    expect(answer.status).toBe(200);
    return dashboardSchema.parse(answer.body);
  };
  const sync = async (body: Record<string, unknown> = {}): Promise<Run> => {
    const started = await api.call<Run>('POST', '/api/sync/runs', { token, body });
    return api.settledRun<Run>(token, started.body.id);
  };
  const plusMinutes = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 12, groups: 1, seed: 21, disabledShare: 0, guestShare: 0, noMailboxShare: 0 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
  });
  afterAll(() => api.stop());

  it('before connecting: no employees, not connected, no sync yet and none scheduled', async () => {
    expect(await dashboard()).toEqual({
      employees: { active: 0, inactive: 0, bySource: { microsoft: { active: 0, inactive: 0 }, csv: { active: 0, inactive: 0 }, manual: { active: 0, inactive: 0 } } },
      connection: { status: 'not_connected', tenantName: null },
      lastRun: null,
      runningRun: null,
      nextScheduledSyncAt: null,
      scheduleIntervalMinutes: null,
    });
    expect((await api.call('GET', '/api/dashboard')).status).toBe(401);
  });

  it('after the first sync: everyone active from Microsoft, the sync succeeded, the next one an interval later', async () => {
    await api.consent(token, api.adminUpn);
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, schedule: { intervalMinutes: 30 } } });
    const first = await api.settledRun<Run>(token, saved.body.run.id);
    expect(first.status).toBe('succeeded');
    const total = (await api.call<{ total: number }>('GET', '/api/employees?limit=1', { token })).body.total;
    expect(total).toBeGreaterThan(0);

    const view = await dashboard();
    expect(view.employees).toEqual({ active: total, inactive: 0, bySource: { microsoft: { active: total, inactive: 0 }, csv: { active: 0, inactive: 0 }, manual: { active: 0, inactive: 0 } } });
    expect(view.connection.status).toBe('connected');
    expect(view.connection.tenantName).toEqual(expect.any(String));
    expect(view.lastRun).toMatchObject({ id: first.id, status: 'succeeded', dryRun: false });
    expect(view.runningRun).toBeNull();
    expect(view.scheduleIntervalMinutes).toBe(30);
    expect(view.nextScheduledSyncAt).toBe(plusMinutes(first.queuedAt, 30));
  });

  it('counts a disabled person as inactive and employees from a CSV import apart', async () => {
    const before = await dashboard();
    const someone = (await api.call<{ employees: Array<{ email: string }> }>('GET', '/api/employees?limit=50', { token })).body.employees.find((e) => e.email !== api.adminUpn)!;
    await api.emulator.control.disableUser(api.tenant.tenantId, someone.email);
    const second = await sync();
    expect(second.status).toBe('succeeded');
    const { store } = api.app.services;
    const organizationId = (await store.organizations.list())[0]!.id;
    await storeImportedEmployee(store, organizationId, { email: 'imported@contoso.com' });

    const view = await dashboard();
    expect(view.employees.bySource.microsoft).toEqual({ active: before.employees.active - 1, inactive: 1 });
    expect(view.employees.bySource.csv).toEqual({ active: 1, inactive: 0 });
    expect(view.employees).toMatchObject({ active: before.employees.active, inactive: 1 });
    expect(view.lastRun?.id).toBe(second.id);
  });

  it('keeps a dry run out of the last sync, though it pushes the next scheduled one back', async () => {
    const lastReal = (await dashboard()).lastRun!;
    const dry = await sync({ dryRun: true });
    const view = await dashboard();
    expect(view.lastRun?.id).toBe(lastReal.id);
    expect(view.nextScheduledSyncAt).toBe(plusMinutes(dry.queuedAt, 30));
  });

  it('schedules nothing when the schedule is turned off', async () => {
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, schedule: null } });
    await api.settledRun(token, saved.body.run.id);
    const view = await dashboard();
    expect(view.nextScheduledSyncAt).toBeNull();
    expect(view.scheduleIntervalMinutes).toBeNull();
    expect(view.lastRun?.id).toBe(saved.body.run.id);
  });
});
