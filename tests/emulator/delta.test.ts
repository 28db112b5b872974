import type { RunningEmulator } from '@users-sync/emulator/index';
import { allPages, graph, seedTenant, startTestEmulator, type Page, type SeededTenant } from './emulator-harness';

describe('Graph delta queries', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 650, groups: 12, seed: 202 });
  });
  afterAll(() => emulator.close());

  async function round(link: string, headers: Record<string, string> = {}) {
    const { items, pages } = await allPages(emulator, tenant.token, link, headers);
    return { items, pages, deltaLink: pages.at(-1)!['@odata.deltaLink']! };
  }

  it('walks the initial users round in server-sized pages of about 200 and ends with a deltaLink', async () => {
    const { items, pages, deltaLink } = await round('/users/delta?$select=displayName,accountEnabled');
    expect(items).toHaveLength(650);
    expect(pages.map((p) => p.value.length)).toEqual([200, 200, 200, 50]);
    for (const p of pages.slice(0, -1)) {
      expect(p['@odata.nextLink']).toMatch(/\/v1\.0\/users\/delta\?\$skiptoken=/);
      expect(p['@odata.deltaLink']).toBeUndefined();
    }
    expect(deltaLink).toMatch(/\/v1\.0\/users\/delta\?\$deltatoken=/);
    expect(Object.keys(items[0]!).sort()).toEqual(['accountEnabled', 'displayName', 'id']);
  });

  it('refuses $top on delta', async () => {
    expect((await graph(emulator, tenant.token, '/users/delta?$top=10')).status).toBe(400);
  });

  it('returns only changes after the deltaLink: updates, disables, soft and hard deletions, restores', async () => {
    const initial = await round('/users/delta?$select=displayName,accountEnabled,department');
    const users = (await emulator.control.users(tenant.tenantId, { limit: 20 })).value;
    const [renamed, disabled, softDeleted, purged, untouchedTrackedElsewhere] = users.slice(5, 10);
    await emulator.control.updateUser(tenant.tenantId, renamed!.id, { displayName: 'Renamed Person' });
    await emulator.control.disableUser(tenant.tenantId, disabled!.id);
    await emulator.control.deleteUser(tenant.tenantId, softDeleted!.id);
    await emulator.control.purgeUser(tenant.tenantId, purged!.id);
    // jobTitle is not $selected: that change is not tracked.
    await emulator.control.updateUser(tenant.tenantId, untouchedTrackedElsewhere!.id, { jobTitle: 'Chief Tea Officer' });
    const created = await emulator.control.createUser(tenant.tenantId, { displayName: 'New Hire', department: 'Sales' });

    const changes = await round(initial.deltaLink);
    const byId = new Map(changes.items.map((i) => [i.id, i]));
    expect(byId.size).toBe(5);
    expect(byId.get(renamed!.id)).toMatchObject({ displayName: 'Renamed Person' });
    expect(byId.get(disabled!.id)).toMatchObject({ accountEnabled: false });
    expect(byId.get(softDeleted!.id)).toEqual({ id: softDeleted!.id, '@removed': { reason: 'changed' } });
    expect(byId.get(purged!.id)).toEqual({ id: purged!.id, '@removed': { reason: 'deleted' } });
    expect(byId.get(created.id)).toMatchObject({ displayName: 'New Hire', department: 'Sales' });
    expect(byId.has(untouchedTrackedElsewhere!.id)).toBe(false);

    await emulator.control.restoreUser(tenant.tenantId, softDeleted!.id);
    const afterRestore = await round(changes.deltaLink);
    expect(afterRestore.items.map((i) => i.id)).toEqual([softDeleted!.id]);
    expect(afterRestore.items[0]).toHaveProperty('displayName');

    const quiet = await round(afterRestore.deltaLink);
    expect(quiet.items).toEqual([]);
  });

  it('Prefer: return=minimal returns only the changed properties', async () => {
    const initial = await round('/users/delta?$select=displayName,department,jobTitle');
    const user = (await emulator.control.users(tenant.tenantId, { limit: 30 })).value[25]!;
    await emulator.control.updateUser(tenant.tenantId, user.id, { department: 'Legal' });
    const answer = await graph<Page>(emulator, tenant.token, initial.deltaLink, { headers: { Prefer: 'return=minimal' } });
    expect(answer.headers.get('preference-applied')).toBe('return=minimal');
    expect(answer.body.value).toEqual([{ department: 'Legal', id: user.id }]);
  });

  it('$deltatoken=latest answers at once with a "from now" deltaLink and no objects', async () => {
    const latest = await graph<Page>(emulator, tenant.token, '/users/delta?$select=displayName&$deltatoken=latest');
    expect(latest.status).toBe(200);
    expect(latest.body.value).toEqual([]);
    expect(latest.body['@odata.deltaLink']).toBeDefined();
    const user = (await emulator.control.users(tenant.tenantId, { limit: 40 })).value[33]!;
    await emulator.control.updateUser(tenant.tenantId, user.id, { displayName: 'Changed After Latest' });
    const next = await round(latest.body['@odata.deltaLink']!);
    expect(next.items).toEqual([{ displayName: 'Changed After Latest', id: user.id }]);
  });

  it('carries manager@delta when manager is selected', async () => {
    const { items } = await round('/users/delta?$select=displayName,manager');
    const withManager = items.filter((i) => Array.isArray(i['manager@delta']) && (i['manager@delta'] as unknown[]).length > 0);
    expect(withManager.length).toBeGreaterThan(100);
    expect((withManager[0]!['manager@delta'] as Array<Record<string, unknown>>)[0]).toMatchObject({ '@odata.type': '#microsoft.graph.user' });
  });

  it('an expired delta token answers 410 Gone with a Location to start over', async () => {
    const initial = await round('/users/delta?$select=displayName');
    const midRound = (await graph<Page>(emulator, tenant.token, '/users/delta?$select=displayName')).body['@odata.nextLink']!;
    await emulator.control.expireDeltaTokens(tenant.tenantId);
    for (const link of [initial.deltaLink, midRound]) {
      const gone = await graph<{ error: { code: string } }>(emulator, tenant.token, link);
      expect(gone.status).toBe(410);
      expect(gone.body.error.code).toBe('syncStateNotFound');
      const location = gone.headers.get('location')!;
      expect(location).toMatch(/\/v1\.0\/users\/delta\?\$select=displayName&\$deltatoken=$/);
      const restart = await round(location);
      expect(restart.items.length).toBeGreaterThan(600);
    }
  });

  it('groups/delta carries members@delta, then only membership changes with removals marked', async () => {
    const initial = await round('/groups/delta?$select=displayName,members');
    // A group can come back on several pages, each with a slice of its members: merge them.
    const merged = new Map<unknown, Record<string, unknown>>();
    for (const g of initial.items) {
      const seen = merged.get(g.id);
      if (seen) (seen['members@delta'] as unknown[]).push(...(g['members@delta'] as unknown[]));
      else merged.set(g.id, { ...g, 'members@delta': [...(g['members@delta'] as unknown[])] });
    }
    expect(merged.size).toBe(12);
    const arsen = [...merged.values()].find((g) => g.displayName === 'arsen')!;
    const members = arsen['members@delta'] as Array<Record<string, unknown>>;
    expect(members.length).toBeGreaterThan(10);
    expect(members[0]).toMatchObject({ '@odata.type': expect.stringMatching(/^#microsoft\.graph\.(user|group)$/) });

    const someoneNew = await emulator.control.createUser(tenant.tenantId, { displayName: 'Arsen Newcomer' });
    const leaving = members.find((m) => m['@odata.type'] === '#microsoft.graph.user')!;
    await emulator.control.addMembers(tenant.tenantId, String(arsen.id), [someoneNew.id]);
    await emulator.control.removeMember(tenant.tenantId, String(arsen.id), String(leaving.id));
    const changes = await round(initial.deltaLink);
    expect(changes.items).toHaveLength(1);
    expect(changes.items[0]!['members@delta']).toEqual(
      expect.arrayContaining([
        { '@odata.type': '#microsoft.graph.user', id: someoneNew.id },
        { '@odata.type': '#microsoft.graph.user', id: leaving.id, '@removed': { reason: 'deleted' } },
      ]),
    );
  });

  it('splits a big group across pages of at most 500 member links', async () => {
    const everyone = (await emulator.control.users(tenant.tenantId, { limit: 1000, state: 'active' })).value.map((u) => u.id);
    const big = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Everyone', memberIds: everyone });
    const { pages } = await round(`/groups/delta?$select=displayName,members&$filter=id eq '${big.id}'`);
    expect(pages.length).toBeGreaterThan(1);
    const slices = pages.flatMap((p) => p.value.map((g) => (g['members@delta'] as unknown[]).length));
    expect(Math.max(...slices)).toBeLessThanOrEqual(500);
    const merged = new Set(pages.flatMap((p) => p.value.flatMap((g) => (g['members@delta'] as Array<{ id: string }>).map((m) => m.id))));
    expect(merged.size).toBe(everyone.length);
  });

  it('reports a deleted group as @removed deleted', async () => {
    const group = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Short-lived' });
    const initial = await round('/groups/delta?$select=displayName');
    await emulator.control.deleteGroup(tenant.tenantId, group.id);
    const changes = await round(initial.deltaLink);
    expect(changes.items).toEqual([{ id: group.id, '@removed': { reason: 'deleted' } }]);
  });
});
