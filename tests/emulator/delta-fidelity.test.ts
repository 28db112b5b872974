import type { RunningEmulator } from '@users-sync/emulator/index';
import { allPages, graph, seedTenant, startTestEmulator, type Page, type SeededTenant } from './emulator-harness';

/**
 * Delta queries as Microsoft documents them (user-delta, group-delta), and the
 * eventual-consistency behaviours delta-query-overview ("Replays") and the paging page warn
 * about, as modes a test switches on.
 */
type GraphErrorBody = { error: { code: string } };

describe('delta as documented', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 60, groups: 6, seed: 515 });
  });
  afterAll(() => emulator.close());
  afterEach(() => emulator.control.setConsistency(tenant.tenantId, {}));

  const fromNow = async (path: string) => (await graph<Page>(emulator, tenant.token, `${path}${path.includes('?') ? '&' : '?'}$deltatoken=latest`)).body['@odata.deltaLink']!;

  it('refuses $expand on delta (user-delta: track the manager with $select=manager)', async () => {
    const answer = await graph<GraphErrorBody>(emulator, tenant.token, '/users/delta?$expand=manager');
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('Request_UnsupportedQuery');
  });

  it('sends a removed manager as a manager@delta entry marked @removed, and nothing for a user who never had one', async () => {
    const boss = await emulator.control.createUser(tenant.tenantId, { displayName: 'Boss' });
    const worker = await emulator.control.createUser(tenant.tenantId, { displayName: 'Worker', managerId: boss.id });
    const loner = await emulator.control.createUser(tenant.tenantId, { displayName: 'Loner' });
    const link = await fromNow('/users/delta?$select=displayName,manager');
    await emulator.control.updateUser(tenant.tenantId, worker.id, { managerId: null });
    await emulator.control.updateUser(tenant.tenantId, loner.id, { displayName: 'Loner Two' });
    const round = await allPages(emulator, tenant.token, link);
    const byId = new Map(round.items.map((u) => [u.id, u]));
    expect(byId.get(worker.id)!['manager@delta']).toEqual([{ '@odata.type': '#microsoft.graph.user', id: boss.id, '@removed': { reason: 'deleted' } }]);
    expect(byId.get(loner.id)).not.toHaveProperty('manager@delta');
  });

  it('gives members@delta without $select, and none on a group with no members', async () => {
    const empty = await emulator.control.createGroup(tenant.tenantId, { displayName: 'Nobody yet' });
    const round = await allPages(emulator, tenant.token, '/groups/delta');
    const groups = round.items.filter((g) => !('@removed' in g));
    expect(groups.find((g) => g.id === empty.id)).not.toHaveProperty('members@delta');
    expect(groups.filter((g) => g.id !== empty.id).every((g) => Array.isArray(g['members@delta']))).toBe(true);
  });

  it('can precede every page of objects with an empty page that carries a nextLink', async () => {
    await emulator.control.setConsistency(tenant.tenantId, { emptyPages: true });
    const round = await allPages(emulator, tenant.token, '/users/delta?$select=displayName');
    expect(round.pages[0]!.value).toEqual([]);
    expect(round.pages[0]!['@odata.nextLink']).toBeDefined();
    expect(round.pages.filter((p) => p.value.length > 0).length).toBeGreaterThan(0);
    expect(round.pages.length).toBe(2 * round.pages.filter((p) => p.value.length > 0).length);
  });

  it('can replay unchanged objects in a later round, send some twice, and shuffle a page', async () => {
    const link = await fromNow('/users/delta?$select=displayName');
    const changed = (await emulator.control.users(tenant.tenantId, { limit: 30 })).value.slice(5, 25);
    for (const user of changed) await emulator.control.updateUser(tenant.tenantId, user.id, { displayName: `${user.displayName} (moved)` });
    await emulator.control.setConsistency(tenant.tenantId, { replays: true, duplicates: true, shuffle: true });
    const round = await allPages(emulator, tenant.token, link);
    const ids = round.items.map((u) => String(u.id));
    const changedIds = new Set(changed.map((u) => u.id));
    expect(ids.some((id) => !changedIds.has(id))).toBe(true); // replays
    expect(new Set(ids).size).toBeLessThan(ids.length); // duplicates
    expect([...changedIds].every((id) => ids.includes(id))).toBe(true);
    const positions = changed.map((u) => ids.indexOf(u.id));
    expect(positions).not.toEqual([...positions].sort((a, b) => a - b)); // no order
  });

  it('can keep a change out of lists and delta rounds for a replication delay', async () => {
    await emulator.control.setConsistency(tenant.tenantId, { replicationDelayMs: 60_000 });
    const link = await fromNow('/users/delta?$select=displayName');
    const late = await emulator.control.createUser(tenant.tenantId, { displayName: 'Just Hired' });
    const listed = await allPages(emulator, tenant.token, '/users?$top=999&$select=id');
    expect(listed.items.map((u) => u.id)).not.toContain(late.id);
    const round = await allPages(emulator, tenant.token, link);
    expect(round.items.map((u) => u.id)).not.toContain(late.id);
    await emulator.control.setConsistency(tenant.tenantId, { replicationDelayMs: 0 });
    const next = await allPages(emulator, tenant.token, round.pages.at(-1)!['@odata.deltaLink']!);
    expect(next.items.map((u) => u.id)).toContain(late.id);
  });
});
