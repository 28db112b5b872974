import type { RunningEmulator } from '@users-sync/emulator/index';
import { graph, seedTenant, startTestEmulator, type SeededTenant } from './emulator-harness';

type User = { id: string; manager?: { '@odata.type': string; id: string; displayName?: string } };

describe('users with $expand=manager, as the sync reads them', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 40, groups: 2, seed: 4 });
  });
  afterAll(() => emulator.close());

  it('carries each user’s manager inline with only the selected properties, and leaves it out when there is none', async () => {
    const answer = await graph<{ value: User[] }>(emulator, tenant.token, '/users?$top=999&$select=id,displayName&$expand=manager($select=id)');
    expect(answer.status).toBe(200);
    const managed = answer.body.value.filter((u) => u.manager);
    expect(managed.length).toBeGreaterThan(0);
    expect(managed[0]!.manager).toEqual({ '@odata.type': '#microsoft.graph.user', id: expect.any(String) });
    const top = answer.body.value.filter((u) => !u.manager);
    expect(top.length).toBeGreaterThan(0);
    expect(top.every((u) => !('manager' in u))).toBe(true);
  });

  it('costs one more resource unit than the same list without it', async () => {
    const plain = await graph(emulator, tenant.token, '/users?$top=50&$select=id');
    const expanded = await graph(emulator, tenant.token, '/users?$top=50&$select=id&$expand=manager');
    expect(Number(expanded.headers.get('x-ms-resource-unit'))).toBe(Number(plain.headers.get('x-ms-resource-unit')) + 1);
  });

  it('refuses to expand what a user cannot expand, and $expand in an advanced query', async () => {
    const wrong = await graph<{ error: { code: string } }>(emulator, tenant.token, '/users?$expand=mailboxSettings');
    expect(wrong.status).toBe(400);
    const advanced = await graph<{ error: { code: string } }>(emulator, tenant.token, '/users?$count=true&$expand=manager', { headers: { ConsistencyLevel: 'eventual' } });
    expect(advanced.status).toBe(400);
    expect(advanced.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('lists a manager’s direct reports, and hides a deleted manager from the reports until it is restored', async () => {
    const listing = await graph<{ value: User[] }>(emulator, tenant.token, '/users?$top=999&$select=id&$expand=manager($select=id)');
    const managerId = listing.body.value.find((u) => u.manager)!.manager!.id;
    const expected = listing.body.value.filter((u) => u.manager?.id === managerId).map((u) => u.id).sort();
    const reports = await graph<{ value: Array<{ '@odata.type': string; id: string }> }>(emulator, tenant.token, `/users/${managerId}/directReports?$select=id`);
    expect(reports.status).toBe(200);
    expect(reports.body.value.map((r) => r.id).sort()).toEqual(expected);
    expect(reports.body.value.every((r) => r['@odata.type'] === '#microsoft.graph.user')).toBe(true);

    const report = expected[0]!;
    await emulator.control.deleteUser(tenant.tenantId, managerId);
    expect((await graph<User>(emulator, tenant.token, `/users/${report}?$select=id&$expand=manager($select=id)`)).body.manager).toBeUndefined();
    expect((await graph(emulator, tenant.token, `/users/${managerId}/directReports`)).status).toBe(404);
    await emulator.control.restoreUser(tenant.tenantId, managerId);
    expect((await graph<User>(emulator, tenant.token, `/users/${report}?$select=id&$expand=manager($select=id)`)).body.manager?.id).toBe(managerId);
  });
});
