import type { RunningEmulator } from '@users-sync/emulator/index';
import { allPages, graph, seedTenant, startTestEmulator, type Page, type SeededTenant } from './emulator-harness';

/**
 * Where Microsoft Graph is stricter than a naive fake, the emulator is too. Each case names
 * the Microsoft page it is written from.
 */
const eventual = { ConsistencyLevel: 'eventual' };
type GraphErrorBody = { error: { code: string; message: string } };

describe('Graph as strict as Microsoft documents it', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  let arsenId: string;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 300, groups: 20, seed: 909, nestingDepth: 2 });
    arsenId = String((await graph<Page>(emulator, tenant.token, "/groups?$filter=displayName eq 'arsen'")).body.value[0]!.id);
  });
  afterAll(() => emulator.close());

  describe('Microsoft 365 groups hold only users (group-post-members, member types table; group-list-transitivemembers)', () => {
    it('refuses a group, a device or a contact as a member of a Microsoft 365 group, and a Microsoft 365 group as a member of any group', async () => {
      const control = emulator.control;
      const unified = await control.createGroup(tenant.tenantId, { displayName: 'Team site', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false });
      const security = await control.createGroup(tenant.tenantId, { displayName: 'Badge access' });
      const device = await control.createDirectoryObject(tenant.tenantId, { kind: 'device', displayName: 'KIOSK-01' });
      const contact = await control.createDirectoryObject(tenant.tenantId, { kind: 'orgContact', displayName: 'Pat Agency', mail: 'pat@agency.example' });
      for (const member of [security.id, device.id, contact.id]) {
        await expect(control.addMembers(tenant.tenantId, unified.id, [member])).rejects.toMatchObject({ status: 400 });
      }
      await expect(control.addMembers(tenant.tenantId, security.id, [unified.id])).rejects.toMatchObject({ status: 400 });
      await control.addMembers(tenant.tenantId, security.id, [device.id, contact.id]);
      expect((await control.group(tenant.tenantId, security.id)).memberIds).toEqual([device.id, contact.id]);
    });

    it('answers the group cast on a Microsoft 365 group with 400 Request_UnsupportedQuery, and its user cast as usual', async () => {
      const someone = (await emulator.control.users(tenant.tenantId, { limit: 3 })).value[2]!;
      const unified = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Project Falcon', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, memberIds: [someone.id] });
      const groups = await graph<GraphErrorBody>(emulator, tenant.token, `/groups/${unified.id}/transitiveMembers/microsoft.graph.group?$count=true`, { headers: eventual });
      expect(groups.status).toBe(400);
      expect(groups.body.error.code).toBe('Request_UnsupportedQuery');
      const users = await graph<Page>(emulator, tenant.token, `/groups/${unified.id}/transitiveMembers/microsoft.graph.user?$count=true&$select=id`, { headers: eventual });
      expect(users.body.value.map((u) => u.id)).toEqual([someone.id]);
    });

    it('generates tenants whose nested groups all sit under security groups, arsen included', async () => {
      const groups = await emulator.control.groups(tenant.tenantId);
      const byId = new Map(groups.map((g) => [g.id, g]));
      for (const group of groups) {
        const unified = (group.groupTypes as string[]).includes('Unified');
        const nestedKinds = group.memberIds.filter((id) => byId.has(id));
        if (unified) expect(nestedKinds).toEqual([]);
      }
      const arsen = byId.get(arsenId)!;
      expect(arsen).toMatchObject({ groupTypes: [], securityEnabled: true });
      expect(arsen.memberIds.some((id) => byId.has(id))).toBe(true);
    });
  });

  describe('casts on membership are advanced queries (aad-advanced-queries: ConsistencyLevel eventual and $count=true)', () => {
    it.each(['members', 'transitiveMembers'])('refuses %s/microsoft.graph.user without ConsistencyLevel: eventual or without $count=true', async (relation) => {
      const bare = await graph<GraphErrorBody>(emulator, tenant.token, `/groups/${arsenId}/${relation}/microsoft.graph.user`);
      expect(bare.status).toBe(400);
      expect(bare.body.error.code).toBe('Request_UnsupportedQuery');
      expect((await graph(emulator, tenant.token, `/groups/${arsenId}/${relation}/microsoft.graph.user?$count=true`)).status).toBe(400);
      expect((await graph(emulator, tenant.token, `/groups/${arsenId}/${relation}/microsoft.graph.user`, { headers: eventual })).status).toBe(400);
      const ok = await graph<Page>(emulator, tenant.token, `/groups/${arsenId}/${relation}/microsoft.graph.user?$count=true`, { headers: eventual });
      expect(ok.status).toBe(200);
      expect(ok.body['@odata.count']).toBe(ok.body.value.length);
    });

    it('keeps $count in the nextLink, so a client that sends the header on every page reads the whole cast', async () => {
      const everyone = (await emulator.control.users(tenant.tenantId, { limit: 300 })).value.map((u) => u.id);
      const big = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Everyone (cast)', memberIds: everyone });
      const pages = await allPages(emulator, tenant.token, `/groups/${big.id}/transitiveMembers/microsoft.graph.user?$count=true&$top=120&$select=id`, eventual);
      expect(pages.pages.length).toBe(3);
      expect(pages.items).toHaveLength(300);
      const second = pages.pages[0]!['@odata.nextLink']!;
      expect((await graph(emulator, tenant.token, second)).status).toBe(400);
    });
  });

  describe('$expand returns at most 100 objects a page (known issue 13635; query-parameters, "expand")', () => {
    it('caps a users page that expands the manager at 100 whatever $top says, and pages on with nextLinks', async () => {
      const expanded = await allPages(emulator, tenant.token, '/users?$top=999&$select=id&$expand=manager($select=id)');
      expect(expanded.pages.map((p) => p.value.length)).toEqual([100, 100, 100]);
      expect(expanded.items).toHaveLength(300);
      const plain = await graph<Page>(emulator, tenant.token, '/users?$top=999&$select=id');
      expect(plain.body.value).toHaveLength(300);
      const small = await graph<Page>(emulator, tenant.token, '/users?$top=40&$select=id&$expand=manager($select=id)');
      expect(small.body.value).toHaveLength(40);
    });
  });

  describe('members that are not users, and contacts as managers (group-list-members; user-list-manager)', () => {
    it('lists devices, organizational contacts and service principals among the members, each with its @odata.type, and leaves them out of the user cast', async () => {
      const members = await allPages(emulator, tenant.token, `/groups/${arsenId}/members?$select=id,displayName`);
      const types = new Set(members.items.map((m) => m['@odata.type']));
      expect([...types].sort()).toEqual(['#microsoft.graph.device', '#microsoft.graph.group', '#microsoft.graph.orgContact', '#microsoft.graph.servicePrincipal', '#microsoft.graph.user']);
      const contact = members.items.find((m) => m['@odata.type'] === '#microsoft.graph.orgContact')!;
      expect(contact).toEqual({ '@odata.type': '#microsoft.graph.orgContact', id: expect.any(String), displayName: expect.any(String) });
      const users = await allPages(emulator, tenant.token, `/groups/${arsenId}/members/microsoft.graph.user?$count=true&$select=id`, eventual);
      expect(users.items.every((m) => m['@odata.type'] === '#microsoft.graph.user')).toBe(true);
      expect(users.items.length).toBe(members.items.filter((m) => m['@odata.type'] === '#microsoft.graph.user').length);
    });

    it('gives a contact as a manager: inline in $expand, at /users/{id}/manager and in manager@delta', async () => {
      const contact = await emulator.control.createDirectoryObject(tenant.tenantId, { kind: 'orgContact', displayName: 'Lee Staffing', mail: 'lee@staffing.example' });
      const worker = await emulator.control.createUser(tenant.tenantId, { displayName: 'Contractor One', managerId: contact.id });
      const expanded = await graph<Record<string, unknown>>(emulator, tenant.token, `/users/${worker.id}?$select=id&$expand=manager($select=id,displayName)`);
      expect(expanded.body.manager).toEqual({ '@odata.type': '#microsoft.graph.orgContact', id: contact.id, displayName: 'Lee Staffing' });
      const manager = await graph<Record<string, unknown>>(emulator, tenant.token, `/users/${worker.id}/manager`);
      expect(manager.body).toMatchObject({ '@odata.type': '#microsoft.graph.orgContact', id: contact.id, mail: 'lee@staffing.example' });
      const delta = await graph<Page>(emulator, tenant.token, `/users/delta?$filter=id eq '${worker.id}'&$select=displayName,manager`);
      expect(delta.body.value[0]!['manager@delta']).toEqual([{ '@odata.type': '#microsoft.graph.orgContact', id: contact.id }]);
    });
  });

  describe('smaller points', () => {
    it('sorts users by displayName without advanced headers (aad-advanced-queries), and wants them to sort a filtered list', async () => {
      const sorted = await allPages(emulator, tenant.token, '/users?$orderby=displayName&$select=displayName&$top=999');
      const names = sorted.items.map((u) => String(u.displayName));
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
      const descending = await graph<Page>(emulator, tenant.token, '/users?$orderby=displayName desc&$select=displayName&$top=5');
      expect(descending.body.value.map((u) => u.displayName)).toEqual([...names].reverse().slice(0, 5));
      const filtered = await graph<GraphErrorBody>(emulator, tenant.token, "/users?$orderby=displayName&$filter=accountEnabled eq true");
      expect(filtered.status).toBe(400);
      expect(filtered.body.error.code).toBe('Request_UnsupportedQuery');
    });

    it('refuses $search without ConsistencyLevel: eventual with Request_UnsupportedQuery (search-query-parameter)', async () => {
      const answer = await graph<GraphErrorBody>(emulator, tenant.token, '/users?$search="displayName:a"');
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('Request_UnsupportedQuery');
    });

    it('refuses $batch request ids that differ only by case (json-batching)', async () => {
      const answer = await graph<GraphErrorBody>(emulator, tenant.token, '/$batch', {
        method: 'POST',
        body: { requests: [{ id: 'a', method: 'GET', url: '/organization' }, { id: 'A', method: 'GET', url: '/organization' }] },
      });
      expect(answer.status).toBe(400);
    });

    it('costs 1 resource unit for one user and 2 for a list (throttling-limits, identity and access)', async () => {
      const someone = (await emulator.control.users(tenant.tenantId, { limit: 1 })).value[0]!;
      expect((await graph(emulator, tenant.token, `/users/${someone.id}`)).headers.get('x-ms-resource-unit')).toBe('1');
      expect((await graph(emulator, tenant.token, '/users')).headers.get('x-ms-resource-unit')).toBe('2');
    });
  });

  it('seeds the demo tenant with arsen as a security group of users, nested security groups and non-user members', async () => {
    const demo = await emulator.control.createTenant({ demo: true });
    const groups = await emulator.control.groups(demo.tenantId);
    const byId = new Map(groups.map((g) => [g.id, g]));
    const arsen = groups.find((g) => g.displayName === 'arsen')!;
    expect(arsen).toMatchObject({ groupTypes: [], securityEnabled: true, mailEnabled: false });
    const nested = arsen.memberIds.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
    expect(nested.length).toBeGreaterThan(0);
    expect(nested.every((g) => (g.groupTypes as string[]).length === 0 && g.securityEnabled === true)).toBe(true);
    for (const group of groups.filter((g) => (g.groupTypes as string[]).includes('Unified'))) expect(group.memberIds.filter((id) => byId.has(id))).toEqual([]);
    await emulator.control.deleteTenant(demo.tenantId);
  });
});
