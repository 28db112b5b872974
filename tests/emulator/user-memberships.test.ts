import type { RunningEmulator } from '@users-sync/emulator/index';
import { allPages, graph, seedTenant, startTestEmulator, type Page, type SeededTenant } from './emulator-harness';

// Graph's "List a user's memberships (direct)" and "List a user's transitive memberships"
// (learn.microsoft.com/graph/api/user-list-memberof, user-list-transitivememberof).
describe("Graph /users/{id}/memberOf and transitiveMemberOf", () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  let person: { id: string };
  let outer: { id: string };
  let inner: { id: string };
  let other: { id: string };
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 5, groups: 0, seed: 77 });
    person = await emulator.control.createUser(tenant.tenantId, { displayName: 'Nested Person', userPrincipalName: 'nested@' + tenant.defaultDomain, mail: 'nested@' + tenant.defaultDomain });
    inner = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Inner', memberIds: [person.id] });
    outer = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Outer', memberIds: [inner.id] });
    other = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Other' });
  });
  afterAll(() => emulator.close());

  it('lists only the groups that hold the user directly', async () => {
    const direct = await allPages(emulator, tenant.token, `/users/${person.id}/memberOf?$select=id,displayName`);
    expect(direct.items.map((g) => [g['@odata.type'], g.displayName])).toEqual([['#microsoft.graph.group', 'Inner']]);
  });

  it('lists the groups above them too, through nesting, cast to groups', async () => {
    const all = await allPages(emulator, tenant.token, `/users/${person.id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999`);
    expect(all.items.map((g) => g.id).sort()).toEqual([inner.id, outer.id].sort());
    expect(all.items.map((g) => g.id)).not.toContain(other.id);
  });

  it('answers 404 for an unknown user and refuses a filtered cast without the advanced-query headers', async () => {
    expect((await graph(emulator, tenant.token, '/users/00000000-0000-0000-0000-000000000000/memberOf')).status).toBe(404);
    const filtered = `/users/${person.id}/transitiveMemberOf/microsoft.graph.group?$filter=displayName eq 'Outer'`;
    expect((await graph(emulator, tenant.token, filtered)).status).toBe(400);
    const eventual = await graph<Page>(emulator, tenant.token, `${filtered}&$count=true`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(eventual.body.value.map((g) => g.id)).toEqual([outer.id]);
  });
});
