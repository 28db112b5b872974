import type { Store } from '@users-sync/api/store/index';
import { SyncService, type SyncProgressEvent, guardedActiveEmployees } from '@users-sync/api/sync/index';
import { describeEachStore } from '../store/store-backends';
import { FakeTenant } from './fake-graph';

/** The engine's rules against an in-memory tenant; the same scenarios run against the emulator in sync-emulator.test.ts. */
describeEachStore('the sync engine', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  let tenant: FakeTenant;
  let service: SyncService;
  let orgId: string;

  beforeEach(async () => {
    ({ store, done } = await backend.open());
    tenant = new FakeTenant();
    service = new SyncService({ store, graphReaderFor: () => tenant });
    orgId = (await store.organizations.create('Contoso')).id;
    await store.connections.save(orgId, 'tenant-1', 'granted');
  });
  afterEach(() => done());

  const active = async () => (await store.employees.list(orgId, { status: 'active' })).map((e) => e.email).sort();
  const inactive = async () => (await store.employees.list(orgId, { status: 'inactive' })).map((e) => e.email).sort();
  const people = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('brings every active member user into the directory, skipping disabled, guest and mailbox-less users with the reason', async () => {
    tenant.addUser({ id: 'ada', department: 'Eng' }).addUser({ id: 'bob' });
    tenant.addUser({ id: 'off', accountEnabled: false });
    tenant.addUser({ id: 'guest', userType: 'Guest', mail: 'g@fabrikam.com', userPrincipalName: 'g_fabrikam.com#EXT#@contoso.onmicrosoft.com' });
    tenant.addUser({ id: 'nomail', mail: null, userPrincipalName: 'room-42' });
    const run = await service.runSync(orgId);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 2, skipped: 3, deactivated: 0 } });
    expect(run.report!.skipped.map((s) => s.reason).sort()).toEqual([
      'account is disabled in Entra ID',
      'has no mailbox address and no usable user principal name',
      'is a guest and guests are not synced',
    ]);
    expect(await active()).toEqual(['ada@contoso.com', 'bob@contoso.com']);
    expect(run.graphRequests).toBe(2); // the "from now" delta link, then one page of users
  });

  it('follows every kind of change incrementally, reading only what changed', async () => {
    tenant.addUser({ id: 'ada' }).addUser({ id: 'bob' }).addUser({ id: 'cy' }).addUser({ id: 'dee' });
    await service.runSync(orgId);
    tenant.addUser({ id: 'eve' }).updateUser('ada', { displayName: 'Ada L.' }).updateUser('bob', { department: 'Sales' });
    tenant.updateUser('cy', { accountEnabled: false }).deleteUser('dee');
    const run = await service.runSync(orgId);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { created: 1, updated: 2, deactivated: 2, unchanged: 0 } });
    expect(run.graphRequests).toBe(1);
    expect(await active()).toEqual(['ada@contoso.com', 'bob@contoso.com', 'eve@contoso.com']);
    expect(await inactive()).toEqual(['cy@contoso.com', 'dee@contoso.com']);
    const log = await store.changes.list(orgId, { runId: run.id });
    expect(log.find((c) => c.email === 'bob@contoso.com')).toMatchObject({ action: 'updated', changedFields: ['department'] });
    expect(log.find((c) => c.email === 'dee@contoso.com')).toMatchObject({ action: 'deactivated', reason: expect.stringContaining('deleted') });

    tenant.updateUser('cy', { accountEnabled: true });
    const back = await service.runSync(orgId);
    expect(back.counts).toMatchObject({ reactivated: 1 });
    expect(await inactive()).toEqual(['dee@contoso.com']);
  });

  it('syncs the members of the group named arsen, nested three deep through a cycle', async () => {
    for (const id of ['a1', 'b1', 'c1', 'd1', 'out']) tenant.addUser({ id });
    tenant.addGroup('gD', 'deep', ['d1']).addGroup('gC', 'inner', ['c1', 'gD']).addGroup('gB', 'middle', ['b1', 'gC']).addGroup('gA', 'Arsen', ['a1', 'gB']);
    tenant.addMember('gD', 'gA'); // the cycle
    await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
    const run = await service.runSync(orgId);
    expect(run).toMatchObject({ status: 'succeeded', counts: { created: 4 } });
    expect(await active()).toEqual(['a1@contoso.com', 'b1@contoso.com', 'c1@contoso.com', 'd1@contoso.com']);

    tenant.removeMember('gC', 'c1');
    const after = await service.runSync(orgId);
    expect(after).toMatchObject({ mode: 'incremental', counts: { deactivated: 1 } });
    expect(await inactive()).toEqual(['c1@contoso.com']);

    tenant.deleteGroup('gD');
    await service.runSync(orgId);
    expect(await inactive()).toEqual(['c1@contoso.com', 'd1@contoso.com']);
  });

  describe('managers', () => {
    const managers = async () => Object.fromEntries((await store.employees.list(orgId, { status: 'active' })).map((e) => [e.entraObjectId, e.managerId]));

    it('reads the managers of a 250-member group of a large tenant 20 to a $batch, asking only about the employees it will write or compare', async () => {
      // In a tenant of 100,000 the listing would cost 2,000 resource units; 250 $batch items cost 250.
      tenant.reportedUserCount = 100_000;
      tenant.addUser({ id: 'boss' });
      for (const id of people(250)) tenant.addUser({ id, managerId: 'boss' });
      tenant.addUser({ id: 'off', accountEnabled: false, managerId: 'boss' }).addUser({ id: 'guest', userType: 'Guest', managerId: 'boss' });
      tenant.addGroup('gA', 'arsen', [...people(250), 'off', 'guest']);
      await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
      const run = await service.runSync(orgId);
      expect(run).toMatchObject({ status: 'succeeded', counts: { created: 250, skipped: 2 } });
      expect(Object.values(await managers())).toEqual(Array.from({ length: 250 }, () => 'boss'));
      expect(tenant.batchedPaths).toHaveLength(250);
      expect(tenant.batchedPaths.some((path) => path.includes('off') || path.includes('guest'))).toBe(false);
      // group lookup, two "from now" delta links, one page of members, the tenant's enabled users counted (to weigh the
      // listing), 13 $batch calls (250 / 20), the nested groups, and the group's direct members (for "through which group")
      expect(run.graphRequests).toBe(20);
    });

    it('asks about managers by $batch when Graph will not count the tenant, and fails the run (deactivating nobody) when Graph is down', async () => {
      tenant.addUser({ id: 'boss' });
      for (const id of people(150)) tenant.addUser({ id, managerId: 'boss' });
      tenant.addGroup('gA', 'arsen', people(150));
      await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
      tenant.userCountFailure = 400;
      expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', counts: { created: 150 } });
      expect(tenant.batchedPaths).toHaveLength(150);

      tenant.removeMember('gA', people(1)[0]!);
      tenant.userCountFailure = 503;
      const failed = await service.runSync(orgId, { full: true });
      expect(failed).toMatchObject({ status: 'failed', counts: { deactivated: 0 } });
      expect(await store.employees.count(orgId, 'active')).toBe(150);
    });

    it('asks once about a user who is a member of several chosen groups', async () => {
      tenant.addUser({ id: 'boss' }).addUser({ id: 'both', managerId: 'boss' }).addUser({ id: 'x', managerId: 'boss' });
      tenant.addGroup('g1', 'one', ['both', 'x']).addGroup('g2', 'two', ['both']);
      await store.configurations.save(orgId, { scope: { kind: 'groups', groupIds: ['g1', 'g2'] } });
      expect((await service.runSync(orgId)).counts).toMatchObject({ created: 2 });
      expect(tenant.batchedPaths.filter((path) => path.includes('/users/both?'))).toHaveLength(1);
      expect(await managers()).toEqual({ both: 'boss', x: 'boss' });
    });

    it('gives no manager to a member Graph no longer finds, and fails the run on any other manager read failure, deactivating nobody', async () => {
      for (const id of ['boss', 'gone', 'kept', 'leaver']) tenant.addUser({ id, managerId: id === 'boss' ? null : 'boss' });
      tenant.addGroup('gA', 'arsen', ['gone', 'kept', 'leaver']);
      await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
      tenant.batchItemStatus = (path) => (path.includes('/users/gone?') ? 404 : null);
      expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', counts: { created: 3 } });
      expect(await managers()).toEqual({ gone: null, kept: 'boss', leaver: 'boss' });

      tenant.removeMember('gA', 'leaver');
      tenant.batchItemStatus = (path) => (path.includes('/users/kept?') ? 403 : null);
      const failed = await service.runSync(orgId, { full: true });
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'Authorization_RequestDenied', message: expect.stringContaining('Nobody was deactivated') }, counts: { deactivated: 0 } });
      expect(await inactive()).toEqual([]);
    });

    it('clears a manager removed in Entra on the next full sync, in every scope', async () => {
      tenant.addUser({ id: 'boss' }).addUser({ id: 'ada', managerId: 'boss' }).addUser({ id: 'bob', managerId: 'boss' });
      tenant.addGroup('gA', 'arsen', ['bob']);
      await service.runSync(orgId);
      tenant.updateUser('ada', { managerId: null }).updateUser('bob', { managerId: null });
      expect(await service.runSync(orgId, { full: true })).toMatchObject({ counts: { updated: 2 } });
      expect(await managers()).toEqual({ boss: null, ada: null, bob: null });

      await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
      await service.runSync(orgId);
      tenant.updateUser('bob', { managerId: 'boss' });
      await service.runSync(orgId, { full: true });
      expect((await managers()).bob).toBe('boss');
      tenant.updateUser('bob', { managerId: null });
      expect(await service.runSync(orgId, { full: true })).toMatchObject({ counts: { updated: 1 } });
      expect((await managers()).bob).toBeNull();
    });
  });

  it('refuses a group name that matches no group, or several, naming them', async () => {
    await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
    expect(await service.runSync(orgId)).toMatchObject({ status: 'failed', error: { code: 'SCOPE_GROUP_NOT_FOUND', message: expect.stringContaining('No group named "arsen"') } });
    tenant.addGroup('g1', 'arsen').addGroup('g2', 'ARSEN');
    expect(await service.runSync(orgId)).toMatchObject({ status: 'failed', error: { code: 'SCOPE_GROUP_AMBIGUOUS', message: expect.stringContaining('(g1)') } });
  });

  it('syncs the union of chosen groups, and a user joining a nested group arrives incrementally', async () => {
    for (const id of ['x', 'y', 'z', 'both', 'late']) tenant.addUser({ id });
    tenant.addGroup('gN', 'nested', ['z']).addGroup('g1', 'one', ['x', 'both']).addGroup('g2', 'two', ['y', 'both', 'gN']);
    await store.configurations.save(orgId, { scope: { kind: 'groups', groupIds: ['g1', 'g2'] } });
    expect((await service.runSync(orgId)).counts).toMatchObject({ created: 4 });
    tenant.addMember('gN', 'late');
    const run = await service.runSync(orgId);
    expect(run).toMatchObject({ mode: 'incremental', counts: { created: 1, deactivated: 0 } });
    expect(await active()).toHaveLength(5);
  });

  it('starts over with a full sync by itself when Graph no longer accepts the delta link', async () => {
    tenant.addUser({ id: 'ada' });
    await service.runSync(orgId);
    tenant.addUser({ id: 'bob' }).expireDeltaLinks();
    const run = await service.runSync(orgId);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', counts: { created: 1, unchanged: 1 } });
  });

  it('deactivates nobody when a run fails half-way, and a rerun ends as an uninterrupted one would', async () => {
    for (const id of people(30)) tenant.addUser({ id });
    await service.runSync(orgId);
    for (const id of people(5)) tenant.deleteUser(id);
    for (const id of people(5, 'new')) tenant.addUser({ id });
    tenant.failAfter = 1;
    const failed = await service.runSync(orgId, { full: true });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'ServiceUnavailable', message: expect.stringContaining('Nobody was deactivated') }, counts: { deactivated: 0 } });
    expect(await inactive()).toEqual([]);
    tenant.failAfter = null;
    const rerun = await service.runSync(orgId);
    expect(rerun.status).toBe('succeeded');
    expect(await active()).toEqual([...people(30).slice(5), ...people(5, 'new')].map((p) => `${p}@contoso.com`).sort());
    expect(await inactive()).toHaveLength(5);
  });

  it('stops when cancelled, deactivating nobody', async () => {
    for (const id of people(20)) tenant.addUser({ id });
    await service.runSync(orgId);
    tenant.deleteUser('p0');
    const controller = new AbortController();
    tenant.onRequest = () => controller.abort();
    const run = await service.runSync(orgId, { full: true, signal: controller.signal });
    expect(run).toMatchObject({ status: 'cancelled', error: { code: 'SYNC_CANCELLED' } });
    expect(await inactive()).toEqual([]);
  });

  it('holds a run that would deactivate too many people until an admin approves it', async () => {
    for (const id of people(40)) tenant.addUser({ id });
    await service.runSync(orgId);
    for (const id of people(12)) tenant.deleteUser(id);
    const held = await service.runSync(orgId);
    expect(held).toMatchObject({ status: 'awaiting_approval', counts: { deactivated: 12 }, error: { code: 'DELETION_GUARD', message: expect.stringContaining('12 of 40') } });
    expect(await inactive()).toEqual([]);
    const approved = await service.approve(orgId, held.id);
    expect(approved).toMatchObject({ status: 'succeeded', counts: { deactivated: 12 } });
    expect(await inactive()).toHaveLength(12);
    expect((await service.runSync(orgId)).counts).toMatchObject({ deactivated: 0, created: 0, updated: 0 });
  });

  it('measures the deletion guard against the employees active before the run, not those it created or brought back', async () => {
    for (const id of people(40)) tenant.addUser({ id });
    tenant.addUser({ id: 'back' });
    await service.runSync(orgId);
    tenant.updateUser('back', { accountEnabled: false });
    expect((await service.runSync(orgId)).counts).toMatchObject({ deactivated: 1 });
    // One run: 40 people join, one comes back, 9 of the 40 employees leave (22.5% of 40, 11% of 81).
    for (const id of people(40, 'new')) tenant.addUser({ id });
    tenant.updateUser('back', { accountEnabled: true });
    for (const id of people(9)) tenant.deleteUser(id);
    await store.configurations.save(orgId, { deletionGuard: { enabled: true, maxShare: 0.2, minCount: 5 } });
    const held = await service.runSync(orgId, { full: true });
    expect(held).toMatchObject({ status: 'awaiting_approval', counts: { created: 40, reactivated: 1, deactivated: 9 }, error: { message: expect.stringContaining('9 of 40 active employees (23%)') } });
    // The approval request the admins get weighs them the same way.
    expect(guardedActiveEmployees(held.plan)).toBe(40);
  });

  it('measures a preview against the directory as it is, since a preview writes nothing', async () => {
    for (const id of people(40)) tenant.addUser({ id });
    await service.runSync(orgId);
    for (const id of people(20, 'new')) tenant.addUser({ id });
    for (const id of people(5)) tenant.deleteUser(id);
    await store.configurations.save(orgId, { deletionGuard: { enabled: true, maxShare: 0.2, minCount: 5 } });
    // 5 of 40 (12.5%): under the guard. Taking the 20 the preview would create off the 40 would make it 25%.
    const preview = await service.runSync(orgId, { full: true, dryRun: true });
    expect(preview).toMatchObject({ status: 'succeeded', counts: { created: 20, deactivated: 5 } });
    expect(preview.report?.heldByDeletionGuard).toBe(false);
  });

  it('does not count the directory for a run that deactivates fewer people than the guard could ever hold', async () => {
    for (const id of people(40)) tenant.addUser({ id });
    await service.runSync(orgId);
    const counted = jest.spyOn(store.employees, 'countActiveSynced');
    for (const id of people(3)) tenant.deleteUser(id);
    tenant.updateUser('p10', { department: 'Sales' });
    expect((await service.runSync(orgId)).counts).toMatchObject({ deactivated: 3, updated: 1 });
    expect(counted).not.toHaveBeenCalled();
  });

  it('deactivates nobody when the admin rejects the held run', async () => {
    for (const id of people(40)) tenant.addUser({ id });
    await service.runSync(orgId);
    for (const id of people(12)) tenant.updateUser(id, { accountEnabled: false });
    const held = await service.runSync(orgId);
    expect((await service.reject(orgId, held.id)).status).toBe('rejected');
    expect(await inactive()).toEqual([]);
    await expect(service.approve(orgId, held.id)).rejects.toMatchObject({ code: 'RUN_NOT_AWAITING_APPROVAL' });
  });

  it('previews a sync without writing anything, listing who would change', async () => {
    tenant.addUser({ id: 'ada' }).addUser({ id: 'off', accountEnabled: false });
    const preview = await service.runSync(orgId, { dryRun: true });
    expect(preview).toMatchObject({ status: 'succeeded', dryRun: true, counts: { created: 1, skipped: 1 } });
    expect(preview.report!.created).toEqual([expect.objectContaining({ email: 'ada@contoso.com' })]);
    expect(await store.employees.count(orgId)).toBe(0);
    expect(await store.deltaStates.get(orgId)).toBeUndefined();
  });

  it('reports progress after every Graph page', async () => {
    for (const id of people(2500)) tenant.addUser({ id });
    const events: SyncProgressEvent[] = [];
    service.events.on('progress', (e) => events.push(e));
    const run = await service.runSync(orgId);
    expect(run).toMatchObject({ pages: 4, usersRead: 2500, counts: { created: 2500 } });
    expect(events.filter((e) => e.phase === 'reading_users').map((e) => e.usersRead)).toEqual([999, 1998, 2500]);
  });

  it('refuses to sync an unknown organization or one without consent', async () => {
    await expect(service.runSync('nope')).rejects.toMatchObject({ code: 'ORGANIZATION_NOT_FOUND' });
    const other = await store.organizations.create('Fabrikam');
    await expect(service.runSync(other.id)).rejects.toMatchObject({ code: 'MICROSOFT_NOT_CONNECTED' });
    await store.connections.save(other.id, 't2', 'pending');
    await expect(service.runSync(other.id)).rejects.toMatchObject({ code: 'CONSENT_MISSING' });
  });
});
