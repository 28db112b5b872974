import type { RunningEmulator } from '@users-sync/emulator/index';
import { allPages, appToken, graph, seedTenant, startTestEmulator, type Page, type SeededTenant } from './emulator-harness';

const eventual = { ConsistencyLevel: 'eventual' };

describe('Graph /groups and memberships', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 300, groups: 20, seed: 303, nestingDepth: 3, nestingCycle: true });
  });
  afterAll(() => emulator.close());

  it('finds the group named arsen with $filter displayName eq, and groups by startswith', async () => {
    const arsen = await graph<Page>(emulator, tenant.token, "/groups?$filter=displayName eq 'arsen'&$select=id,displayName");
    expect(arsen.body.value).toHaveLength(1);
    expect(arsen.body['@odata.context']).toBe(`${emulator.url}/v1.0/$metadata#groups(id,displayName)`);
    const project = await graph<Page>(emulator, tenant.token, "/groups?$filter=startswith(displayName,'project')");
    expect(project.body.value.length).toBeGreaterThan(0);
    expect(project.body.value.every((g) => String(g.displayName).toLowerCase().startsWith('project'))).toBe(true);
  });

  it('searches groups only with ConsistencyLevel: eventual', async () => {
    expect((await graph(emulator, tenant.token, '/groups?$search="displayName:arsen"')).status).toBe(400);
    const found = await graph<Page>(emulator, tenant.token, '/groups?$search="displayName:arsen"', { headers: { ConsistencyLevel: 'eventual' } });
    expect(found.body.value.map((g) => g.displayName)).toEqual(['arsen']);
  });

  it('lists direct members with @odata.type, and transitive members including nested groups, through a cycle', async () => {
    const arsen = (await graph<Page>(emulator, tenant.token, "/groups?$filter=displayName eq 'arsen'")).body.value[0]!;
    const direct = await allPages(emulator, tenant.token, `/groups/${String(arsen.id)}/members?$select=id,displayName`);
    expect(direct.items.some((m) => m['@odata.type'] === '#microsoft.graph.group')).toBe(true);
    const transitive = await allPages(emulator, tenant.token, `/groups/${String(arsen.id)}/transitiveMembers?$select=id,displayName`);
    const nestedGroups = transitive.items.filter((m) => m['@odata.type'] === '#microsoft.graph.group');
    expect(nestedGroups.length).toBe(3);
    expect(nestedGroups.some((g) => g.id === arsen.id)).toBe(false);
    const others = transitive.items.filter((m) => !['#microsoft.graph.group', '#microsoft.graph.user'].includes(String(m['@odata.type'])));
    expect(others.map((m) => m['@odata.type'])).toEqual(expect.arrayContaining(['#microsoft.graph.device', '#microsoft.graph.orgContact', '#microsoft.graph.servicePrincipal']));
    const users = await allPages(emulator, tenant.token, `/groups/${String(arsen.id)}/transitiveMembers/microsoft.graph.user?$select=id,mail,accountEnabled&$top=999&$count=true`, eventual);
    expect(users.items.every((m) => m['@odata.type'] === '#microsoft.graph.user')).toBe(true);
    expect(new Set(users.items.map((u) => u.id)).size).toBe(users.items.length);
    expect(users.items.length).toBe(transitive.items.length - nestedGroups.length - others.length);
    expect(users.items.length).toBeGreaterThan(direct.items.length - 1);
  });

  it('pages members at 100 by default with nextLinks', async () => {
    const everyone = (await emulator.control.users(tenant.tenantId, { limit: 300 })).value.map((u) => u.id);
    const big = await emulator.control.createGroup(tenant.tenantId, { displayName: 'All staff', memberIds: everyone });
    const first = await graph<Page>(emulator, tenant.token, `/groups/${big.id}/members`);
    expect(first.body.value).toHaveLength(100);
    expect(first.body['@odata.nextLink']).toContain('$skiptoken=');
    const all = await allPages(emulator, tenant.token, `/groups/${big.id}/transitiveMembers/microsoft.graph.user?$top=999&$count=true`, eventual);
    expect(all.items).toHaveLength(300);
  });

  it('needs ConsistencyLevel + $count=true for $filter on the user cast', async () => {
    const arsen = (await graph<Page>(emulator, tenant.token, "/groups?$filter=displayName eq 'arsen'")).body.value[0]!;
    const path = `/groups/${String(arsen.id)}/transitiveMembers/microsoft.graph.user?$filter=accountEnabled eq true`;
    expect((await graph(emulator, tenant.token, path)).status).toBe(400);
    const ok = await graph<Page>(emulator, tenant.token, `${path}&$count=true`, { headers: { ConsistencyLevel: 'eventual' } });
    expect(ok.status).toBe(200);
    expect(typeof ok.body['@odata.count']).toBe('number');
  });

  it('gives members without profiles to an app that may read memberships but not users', async () => {
    const app = await emulator.control.registerApp({ requiredPermissions: ['GroupMember.Read.All'] });
    await emulator.control.grantConsent(tenant.tenantId, app.clientId);
    const token = await appToken(emulator, tenant.tenantId, app.clientId, app.clientSecret);
    const arsen = (await graph<Page>(emulator, token, "/groups?$filter=displayName eq 'arsen'")).body.value[0]!;
    const members = await graph<Page>(emulator, token, `/groups/${String(arsen.id)}/members/microsoft.graph.user?$select=id,mail&$count=true`, { headers: eventual });
    expect(members.body.value[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: expect.any(String), mail: null });
  });

  it('404s an unknown group', async () => {
    const answer = await graph<{ error: { code: string } }>(emulator, tenant.token, '/groups/11111111-1111-1111-1111-111111111111/members');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('Request_ResourceNotFound');
  });
});
