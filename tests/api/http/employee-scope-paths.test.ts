import { employeeDetailSchema, employeePageSchema } from '@users-sync/api/contract/index';
import { ApiHarness } from './api-harness';

type Run = { id: string; status: string };

describe('an employee shows through which groups they are in scope', () => {
  let api: ApiHarness;
  let token: string;
  let domain: string;
  const ids: Record<string, string> = {};
  const detailOf = async (email: string) => {
    const page = employeePageSchema.parse((await api.call('GET', `/api/employees?search=${encodeURIComponent(email)}`, { token })).body);
    const employee = page.employees.find((e) => e.email === email)!;
    return employeeDetailSchema.parse((await api.call('GET', `/api/employees/${employee.id}`, { token })).body);
  };
  const saveScope = async (scope: unknown) => {
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope } });
    expect((await api.settledRun<Run>(token, saved.body.run.id)).status).toBe('succeeded');
  };

  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 4, groups: 0, seed: 52, disabledShare: 0, guestShare: 0, noMailboxShare: 0 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
    domain = api.adminUpn.split('@')[1]!;
    const { control } = api.emulator;
    const tenantId = api.tenant.tenantId;
    for (const [key, name] of [['nina', 'Nina Nested'], ['ada', 'Ada Direct']] as const) {
      ids[key] = (await control.createUser(tenantId, { displayName: name, userPrincipalName: `${key}@${domain}`, mail: `${key}@${domain}` })).id;
    }
    const squad = await control.createGroup(tenantId, { displayName: 'Squad', memberIds: [ids.nina!] });
    const team = await control.createGroup(tenantId, { displayName: 'Team', memberIds: [squad.id, ids.ada!] });
    const arsen = await control.createGroup(tenantId, { displayName: 'arsen', memberIds: [team.id, ids.ada!] });
    Object.assign(ids, { squad: squad.id, team: team.id, arsen: arsen.id });
    await api.consent(token, api.adminUpn);
  });
  afterAll(() => api.stop());

  it('gives the nested path from the scope group to the group that holds them', async () => {
    await saveScope({ kind: 'group_name', groupName: 'arsen' });
    expect((await detailOf(`nina@${domain}`)).scopePaths).toEqual([
      [
        { id: ids.arsen, displayName: 'arsen' },
        { id: ids.team, displayName: 'Team' },
        { id: ids.squad, displayName: 'Squad' },
      ],
    ]);
    expect((await detailOf(`ada@${domain}`)).scopePaths?.map((path) => path.map((g) => g.displayName))).toEqual([['arsen'], ['arsen', 'Team']]);
  });

  it('follows the chosen groups of a several-groups scope', async () => {
    await saveScope({ kind: 'groups', groupIds: [ids.team] });
    expect((await detailOf(`nina@${domain}`)).scopePaths?.map((path) => path.map((g) => g.displayName))).toEqual([['Team', 'Squad']]);
  });

  it('has no path for the all-users scope', async () => {
    await saveScope({ kind: 'all' });
    expect((await detailOf(`nina@${domain}`)).scopePaths).toBeNull();
  });
});
