import path from 'node:path';
import { createGraphReader } from '@users-sync/api/graph/index';
import type { Store } from '@users-sync/api/store/index';
import { SyncService } from '@users-sync/api/sync/index';
import { startEmulator, type RunningEmulator } from '@users-sync/emulator/index';
import { testCertificateDir } from '../../support/dev-certificate-path';
import { describeEachStore } from '../store/store-backends';

/** The scenarios against the emulator over real HTTPS, through the real Graph reader. */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
});
afterAll(() => emulator.close());

describeEachStore('syncing from the emulator', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  let service: SyncService;
  let orgId: string;
  let tenantId: string;
  const control = () => emulator.control;

  beforeEach(async () => {
    ({ store, done } = await backend.open());
    const tenant = await control().createTenant({ users: 0, groups: 0 });
    tenantId = tenant.tenantId;
    service = new SyncService({
      store,
      graphReaderFor: (tenant) =>
        createGraphReader({ tenantId: tenant, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 12 } }),
    });
    orgId = (await store.organizations.create('Contoso')).id;
    await store.connections.save(orgId, tenantId, 'granted');
  });
  afterEach(async () => {
    await done();
    await control().deleteTenant(tenantId).catch(() => undefined);
  });

  const user = (name: string, extra: Record<string, unknown> = {}) =>
    control().createUser(tenantId, { displayName: name, userPrincipalName: `${name}@contoso.com`, mail: `${name}@contoso.com`, accountEnabled: true, ...extra });
  const active = async () => (await store.employees.list(orgId, { status: 'active' })).map((e) => e.email).sort();
  const inactive = async () => (await store.employees.list(orgId, { status: 'inactive' })).map((e) => e.email).sort();

  it('syncs all active users, skipping disabled, guest and mailbox-less ones, then follows every change incrementally', async () => {
    const ada = await user('ada', { department: 'Eng' });
    const bob = await user('bob');
    const cy = await user('cy');
    await user('off', { accountEnabled: false });
    await user('guest', { userType: 'Guest', mail: 'g@fabrikam.com', userPrincipalName: 'g_fabrikam.com#EXT#@contoso.com' });
    await user('room', { mail: null, userPrincipalName: 'room_x#EXT#@contoso.com' });
    const first = await service.runSync(orgId);
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 3, skipped: 3 } });

    await user('eve');
    await control().updateUser(tenantId, ada.id, { displayName: 'Ada L.' });
    await control().updateUser(tenantId, bob.id, { department: 'Sales' });
    await control().disableUser(tenantId, cy.id);
    const second = await service.runSync(orgId);
    expect(second).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { created: 1, updated: 2, deactivated: 1 } });
    expect(second.graphRequests).toBeLessThanOrEqual(5);

    await control().deleteUser(tenantId, bob.id);
    expect((await service.runSync(orgId)).counts).toMatchObject({ deactivated: 1 });
    await control().restoreUser(tenantId, bob.id);
    expect((await service.runSync(orgId)).counts).toMatchObject({ reactivated: 1 });
    expect(await active()).toEqual(['ada@contoso.com', 'bob@contoso.com', 'eve@contoso.com']);
    expect(await inactive()).toEqual(['cy@contoso.com']);
  });

  it('syncs the group named arsen nested three deep with a cycle, and follows removals and a deleted nested group', async () => {
    const [a, b, c, d] = [await user('a'), await user('b'), await user('c'), await user('d')];
    await user('outsider');
    const gD = await control().createGroup(tenantId, { displayName: 'deep', memberIds: [d.id] });
    const gC = await control().createGroup(tenantId, { displayName: 'inner', memberIds: [c.id, gD.id] });
    const gB = await control().createGroup(tenantId, { displayName: 'middle', memberIds: [b.id, gC.id] });
    const gA = await control().createGroup(tenantId, { displayName: 'arsen', memberIds: [a.id, gB.id] });
    await control().addMembers(tenantId, gD.id, [gA.id]);
    await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', counts: { created: 4 } });

    await control().removeMember(tenantId, gC.id, c.id);
    expect(await service.runSync(orgId)).toMatchObject({ mode: 'incremental', counts: { deactivated: 1 } });
    await control().deleteGroup(tenantId, gD.id);
    await service.runSync(orgId);
    expect(await inactive()).toEqual(['c@contoso.com', 'd@contoso.com']);
    await control().createGroup(tenantId, { displayName: 'ARSEN' });
    expect(await service.runSync(orgId)).toMatchObject({ status: 'failed', error: { code: 'SCOPE_GROUP_AMBIGUOUS' } });
  });

  it('syncs chosen groups, falls back to a full sync when the delta link expired, and ends a throttled run as a clean one', async () => {
    const people = await Promise.all(['x', 'y', 'z'].map((n) => user(n)));
    const g1 = await control().createGroup(tenantId, { displayName: 'one', memberIds: [people[0]!.id] });
    const g2 = await control().createGroup(tenantId, { displayName: 'two', memberIds: [people[1]!.id, people[2]!.id] });
    await store.configurations.save(orgId, { scope: { kind: 'groups', groupIds: [g1.id, g2.id] } });
    expect((await service.runSync(orgId)).counts).toMatchObject({ created: 3 });
    await control().expireDeltaTokens(tenantId);
    await user('w');
    await control().addMembers(tenantId, g1.id, [(await control().user(tenantId, 'w@contoso.com')).id]);
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 1 } });

    await control().setFaults(tenantId, { throttleShare: 0.2, unavailableShare: 0.15, retryAfterSeconds: 0.01 });
    const throttled = await service.runSync(orgId, { full: true });
    await control().clearFaults(tenantId);
    expect(throttled.error).toBeNull();
    expect(throttled.graphRequests).toBeGreaterThan(5);
    expect(throttled).toMatchObject({ status: 'succeeded', counts: { created: 0, updated: 0, deactivated: 0, unchanged: 4 } });
  });

  it('syncs a Microsoft 365 group named arsen (users only), never asking Graph for nested groups it cannot have', async () => {
    // Microsoft 365 groups hold only users; Graph refuses the group cast on them (group-list-transitivemembers).
    const [a, b] = [await user('a'), await user('b')];
    await user('outsider');
    const arsen = await control().createGroup(tenantId, { displayName: 'arsen', groupTypes: ['Unified'], mailEnabled: true, securityEnabled: false, memberIds: [a.id, b.id] });
    await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
    await control().resetCounters(tenantId);
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 2 } });
    expect(await active()).toEqual(['a@contoso.com', 'b@contoso.com']);

    const c = await user('c');
    await control().addMembers(tenantId, arsen.id, [c.id]);
    await control().removeMember(tenantId, arsen.id, a.id);
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { created: 1, deactivated: 1 } });
    await store.configurations.save(orgId, { scope: { kind: 'groups', groupIds: [arsen.id] } });
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', mode: 'full', counts: { unchanged: 2 } });
    expect(await active()).toEqual(['b@contoso.com', 'c@contoso.com']);
    const requests = await control().requests(tenantId, 2000);
    expect(requests.filter((r) => r.status >= 400)).toEqual([]);
    expect(requests.filter((r) => r.path.includes('microsoft.graph.group'))).toEqual([]);
  });

  it('takes no device, contact or service principal in the scope for an employee, and stores no contact as anyone’s manager', async () => {
    // Groups hold devices, contacts and service principals (group-list-members); a manager can be a contact (user-list-manager).
    const contact = await control().createDirectoryObject(tenantId, { kind: 'orgContact', displayName: 'Pat Agency', mail: 'pat@agency.example' });
    const device = await control().createDirectoryObject(tenantId, { kind: 'device', displayName: 'KIOSK-01' });
    const app = await control().createDirectoryObject(tenantId, { kind: 'servicePrincipal', displayName: 'HR Connector' });
    const lead = await user('lead');
    const temp = await user('temp', { managerId: contact.id });
    const staff = await user('staff', { managerId: lead.id });
    const inner = await control().createGroup(tenantId, { displayName: 'inner', memberIds: [staff.id, device.id, contact.id] });
    const arsen = await control().createGroup(tenantId, { displayName: 'arsen', memberIds: [lead.id, temp.id, app.id, inner.id] });
    await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
    const managers = async () => Object.fromEntries((await store.employees.list(orgId, { status: 'active' })).map((e) => [e.email, e.managerId]));

    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', counts: { created: 3, skipped: 0 } });
    expect(await managers()).toEqual({ 'lead@contoso.com': null, 'temp@contoso.com': null, 'staff@contoso.com': lead.id });

    // A second device joining changes nobody; a contact becoming a manager through delta reads as no manager.
    const laptop = await control().createDirectoryObject(tenantId, { kind: 'device', displayName: 'LAPTOP-02' });
    await control().addMembers(tenantId, arsen.id, [laptop.id]);
    await control().updateUser(tenantId, staff.id, { managerId: contact.id });
    await control().updateUser(tenantId, temp.id, { managerId: lead.id });
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { updated: 2, created: 0, deactivated: 0 } });
    expect(await managers()).toEqual({ 'lead@contoso.com': null, 'temp@contoso.com': lead.id, 'staff@contoso.com': null });

    // The all-users listing expands managers inline: the same reading.
    await store.configurations.save(orgId, { scope: { kind: 'all' } });
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 0, updated: 0, unchanged: 3 } });
    expect(await managers()).toEqual({ 'lead@contoso.com': null, 'temp@contoso.com': lead.id, 'staff@contoso.com': null });
  });

  describe('managers in a group scope', () => {
    const managers = async () => Object.fromEntries((await store.employees.list(orgId, { status: 'active' })).map((e) => [e.email, e.managerId]));
    // boss and outsider are outside arsen; lead is in it; the others sit at every depth of its nesting.
    const arsenWithManagers = async () => {
      const boss = await user('boss');
      const lead = await user('lead', { managerId: boss.id });
      const a = await user('a', { managerId: boss.id });
      const b = await user('b', { managerId: lead.id });
      const c = await user('c', { managerId: lead.id });
      const d = await user('d');
      await user('outsider', { managerId: boss.id });
      const gC = await control().createGroup(tenantId, { displayName: 'inner', memberIds: [c.id, d.id] });
      const gB = await control().createGroup(tenantId, { displayName: 'middle', memberIds: [b.id, gC.id] });
      await control().createGroup(tenantId, { displayName: 'arsen', memberIds: [lead.id, a.id, gB.id] });
      await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
      return { boss, lead, a, b, c, d };
    };

    it('gives every member its Entra manager on the first full sync, nested groups included, at the cost of one $batch call', async () => {
      const { boss, lead } = await arsenWithManagers();
      const first = await service.runSync(orgId);
      expect(first).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 5 } });
      expect(await managers()).toEqual({
        'lead@contoso.com': boss.id,
        'a@contoso.com': boss.id,
        'b@contoso.com': lead.id,
        'c@contoso.com': lead.id,
        'd@contoso.com': null,
      });
      // group lookup, two "from now" delta links, the members, one $batch of their managers, the nested groups,
      // and the direct members of each of the three groups in the tree (for "through which group")
      expect(first.graphRequests).toBe(9);
    });

    it('updates nobody for their manager when the scope then widens to all users', async () => {
      const { boss } = await arsenWithManagers();
      await service.runSync(orgId);
      await store.configurations.save(orgId, { scope: { kind: 'all' } });
      const widened = await service.runSync(orgId);
      expect(widened).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 2, updated: 0, unchanged: 5, deactivated: 0 } });
      expect(await managers()).toMatchObject({ 'boss@contoso.com': null, 'outsider@contoso.com': boss.id });
    });

    /**
     * A tenant of 1,300 users whose groups hold the slices given of its users; one full sync of
     * those groups. Returns what Graph was asked and checks every employee got its Entra manager.
     */
    const syncGroupsOfLargeTenant = async (seed: number, slices: Array<[number, number]>, atLeast: number) => {
      const tenant = await control().createTenant({ users: 1300, groups: 0, seed });
      try {
        const everyone = (await control().users(tenant.tenantId, { limit: 1300 })).value;
        const groupIds: string[] = [];
        for (const [g, [from, to]] of slices.entries()) groupIds.push((await control().createGroup(tenant.tenantId, { displayName: `arsen-${seed}-${g}`, memberIds: everyone.slice(from, to).map((u) => u.id) })).id);
        const organizationId = (await store.organizations.create(`Large ${seed}`)).id;
        await store.connections.save(organizationId, tenant.tenantId, 'granted');
        await store.configurations.save(organizationId, { scope: { kind: 'groups', groupIds } });
        await control().resetCounters(tenant.tenantId);
        const run = await service.runSync(organizationId);
        expect(run.status).toBe('succeeded');
        const batchCalls = (await control().requests(tenant.tenantId, 2000)).filter((r) => r.path.startsWith('/v1.0/$batch')).length;
        const { resourceUnits } = await control().counters(tenant.tenantId);
        const byId = new Map(everyone.map((u) => [u.id, u]));
        const objects = new Map((await control().directoryObjects(tenant.tenantId)).map((o) => [o.id, o]));
        const stored = await store.employees.list(organizationId, { status: 'active' });
        expect(stored.length).toBeGreaterThan(atLeast);
        for (const employee of stored) {
          const managerId = byId.get(employee.entraObjectId!)!.managerId;
          expect(employee.managerId).toBe(managerId && !objects.has(managerId) ? managerId : null);
        }
        return { run, batchCalls, resourceUnits };
      } finally {
        await control().deleteTenant(tenant.tenantId);
      }
    };

    it('reads the managers of a large group from the tenant-wide listing, cheaper in resource units than one $batch item per member', async () => {
      // 1,200 members: one $batch item each would cost 1,200 resource units; the listing, 100 users a page at 2 units, far less.
      const { run, batchCalls } = await syncGroupsOfLargeTenant(21, [[50, 1250]], 1000);
      expect(batchCalls).toBeLessThanOrEqual(1);
      expect(run.graphRequests).toBeLessThan(60); // 1,200 members 20 to a $batch would be 60 calls alone
    });

    it('reads the managers of a group of a few hundred from the listing too, when that costs fewer resource units than a $batch item each', async () => {
      // 300 members of a 1,300-user tenant: 300 units by $batch; the listing, 13 pages plus one a partition at 2 units, about 100.
      const { batchCalls, resourceUnits } = await syncGroupsOfLargeTenant(22, [[100, 400]], 250);
      expect(batchCalls).toBe(0);
      expect(resourceUnits).toBeLessThan(300);
    });

    it('weighs the managers of several groups together: three groups of 80 read them from the listing, as one group of 240 would', async () => {
      // 80 members a group is less than the listing's 98 units in a tenant of 1,300; the three together, 240 by $batch, are more.
      const { batchCalls, resourceUnits } = await syncGroupsOfLargeTenant(23, [[100, 180], [180, 260], [260, 340]], 200);
      expect(batchCalls).toBe(0);
      expect(resourceUnits).toBeLessThan(240);
    });

    it("brings a member's new (or removed) manager on the next incremental sync", async () => {
      const { boss, b, c } = await arsenWithManagers();
      await service.runSync(orgId);
      await control().updateUser(tenantId, b.id, { managerId: boss.id });
      await control().updateUser(tenantId, c.id, { managerId: null });
      const next = await service.runSync(orgId);
      expect(next).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { updated: 2, created: 0, deactivated: 0 } });
      expect(await managers()).toMatchObject({ 'b@contoso.com': boss.id, 'c@contoso.com': null });
      const log = await store.changes.list(orgId, { runId: next.id });
      expect(log.map((entry) => [entry.email, entry.changedFields])).toEqual(
        expect.arrayContaining([
          ['b@contoso.com', ['managerId']],
          ['c@contoso.com', ['managerId']],
        ]),
      );
    });
  });

  it('meets a revoked consent at the token refresh in the middle of a long run: the run fails with what to do, and nobody is deactivated', async () => {
    // Graph honours an issued token until it expires (60 to 90 minutes, access-tokens); the next token carries no permission.
    for (let i = 0; i < 250; i += 1) await user(`p${i}`);
    expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', counts: { created: 250 } });
    await control().setFaults(tenantId, { latencyMs: 150 });
    await control().resetCounters(tenantId);
    const running = service.runSync(orgId, { full: true });
    // Once the listing has started (expanded pages hold 100 users: three pages), consent goes and time passes.
    for (let waited = 0; !(await control().requests(tenantId)).some((r) => r.path.startsWith('/v1.0/users?') && r.status === 200); waited += 1) {
      if (waited > 400) throw new Error('the listing never started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await control().revokeConsent(tenantId, emulator.app.clientId);
    await control().advanceClock(tenantId, 2 * 3600);
    const run = await running;
    await control().clearFaults(tenantId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'Authorization_RequestDenied' }, counts: { deactivated: 0 } });
    expect(run.error?.message).toContain('connect Microsoft 365 again');
    expect(await active()).toHaveLength(250);
  });

  it('holds a run that would deactivate too many, then applies it on approval', async () => {
    const many = [];
    for (let i = 0; i < 20; i += 1) many.push(await user(`p${i}`));
    await service.runSync(orgId);
    for (const p of many.slice(0, 10)) await control().disableUser(tenantId, p.id);
    const held = await service.runSync(orgId);
    expect(held).toMatchObject({ status: 'awaiting_approval', counts: { deactivated: 10 } });
    expect(await inactive()).toEqual([]);
    await service.approve(orgId, held.id);
    expect(await inactive()).toHaveLength(10);
  });
});
