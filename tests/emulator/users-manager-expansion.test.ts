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
});
