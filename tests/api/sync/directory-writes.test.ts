import type { Store } from '@users-sync/api/store/index';
import { sql } from 'kysely';
import { SyncService } from '@users-sync/api/sync/index';
import { type DirectoryChangesSizing, defaultSizing } from '@users-sync/api/sync/directory-changes';
import { describeEachStore } from '../store/store-backends';
import { type FakeUser, FakeTenant } from './fake-graph';

/**
 * How a run writes: each page compared with the stored hashes of its own employees, changes
 * written a few thousand to a transaction with their change log, the missing found in the
 * database — so a large run commits a handful of times and never loads the directory.
 */
describeEachStore('the directory a sync writes', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  let tenant: FakeTenant;
  let transactions: number;
  /** How many employees each transaction read the previous attributes of. */
  let rereads: number[];
  let orgId: string;
  const people = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  /** The service over a store that counts the transactions it is asked for, and the previous attributes they read. */
  const service = (sizing?: Partial<DirectoryChangesSizing>) => {
    const counted: Store = {
      ...store,
      transaction: (work) => {
        transactions += 1;
        return store.transaction((t) => work({ ...t, employees: { ...t.employees, attributesOf: (organizationId, ids) => (rereads.push(ids.length), t.employees.attributesOf(organizationId, ids)) } }));
      },
    };
    return new SyncService({ store: counted, graphReaderFor: () => tenant, ...(sizing ? { sizing: { ...defaultSizing, ...sizing } } : {}) });
  };

  beforeEach(async () => {
    ({ store, done } = await backend.open());
    tenant = new FakeTenant();
    transactions = 0;
    rereads = [];
    orgId = (await store.organizations.create('Contoso')).id;
    await store.connections.save(orgId, 'tenant-1', 'granted');
  });
  afterEach(() => done());

  it('writes twelve thousand new employees and their change log in a handful of transactions, not one per page', async () => {
    for (const id of people(12_000)) tenant.addUser({ id });
    const run = await service().runSync(orgId);
    expect(run).toMatchObject({ status: 'succeeded', pages: 14, counts: { created: 12_000 } });
    // 13 pages of users: three transactions of changes (5,000, 5,000, 2,000) and the one that ends the run.
    expect(transactions).toBe(4);
    expect(await store.employees.count(orgId, 'active')).toBe(12_000);
    expect(await store.changes.list(orgId, { runId: run.id, limit: 20_000 })).toHaveLength(12_000);
  });

  it('leaves the database planning the next run on statistics that know the employees a large run wrote', async () => {
    for (const id of people(3_000)) tenant.addUser({ id });
    await service().runSync(orgId);
    if (store.kind !== 'postgres') return;
    // Right away: the statistics counters would tell the next run only seconds later.
    const { rows } = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = 'employees'::regclass`.execute(store.db);
    expect(Number(rows[0]!.reltuples)).toBe(3_000);
  });

  it('writes nothing but the end of the run when nobody changed', async () => {
    for (const id of people(3_000)) tenant.addUser({ id });
    const sync = service();
    await sync.runSync(orgId, { full: true });
    transactions = 0;
    const again = await sync.runSync(orgId, { full: true });
    expect(again.counts).toMatchObject({ unchanged: 3_000, created: 0, updated: 0, deactivated: 0 });
    expect(transactions).toBe(1);
    expect(await store.changes.list(orgId, { runId: again.id })).toEqual([]);
  });

  it('does not read back the employees a first sync just created to look for leavers', async () => {
    for (const id of people(50)) tenant.addUser({ id });
    const walked = jest.spyOn(store.employees, 'activeSyncedAfter');
    const sync = service({ changesPerTransaction: 7, employeesPerLookup: 4 });
    const first = await sync.runSync(orgId);
    expect(first.counts).toMatchObject({ created: 50, deactivated: 0 });
    expect(walked).not.toHaveBeenCalled();
    // From the second sync on, who left is found by walking the directory.
    tenant.deleteUser('p7');
    const second = await sync.runSync(orgId, { full: true });
    expect(second.counts).toMatchObject({ unchanged: 49, deactivated: 1 });
    expect(walked).toHaveBeenCalled();
  });

  /**
   * `synced` users with every mapped attribute set, each to its own value, synced once; then
   * `change` made to the first `changed` of them in Entra. Returns the service for the next run.
   */
  const syncedThenChanged = async (synced: number, changed: number, change: Partial<FakeUser>, sizing?: Partial<DirectoryChangesSizing>) => {
    for (const id of people(synced)) {
      tenant.addUser({ id, givenName: `${id}-given`, surname: `${id}-surname`, department: 'Research', jobTitle: 'Analyst', officeLocation: 'Room 12', city: 'London', country: 'UK', preferredLanguage: 'en-GB', employeeId: `E-${id}`, companyName: 'Contoso Ltd', managerId: id === 'p0' ? null : 'p0' });
    }
    const sync = service(sizing);
    await sync.runSync(orgId);
    for (const id of people(changed)) tenant.updateUser(id, change);
    return sync;
  };

  it('looks up the employees of an incremental round while it reads the delta pages, and logs what changed without reading them again', async () => {
    // 450 changes: three delta pages of 200, each looked up while the next one is requested.
    const sync = await syncedThenChanged(500, 450, { city: 'Paris' });
    const events: string[] = [];
    tenant.onRequest = () => events.push('request');
    const lookUp = store.employees.storedWithAttributesByEntraIds.bind(store.employees);
    const lookups = jest.spyOn(store.employees, 'storedWithAttributesByEntraIds').mockImplementation(async (organizationId, ids) => {
      const found = await lookUp(organizationId, ids);
      events.push(`looked up ${ids.length}`);
      return found;
    });
    const run = await sync.runSync(orgId);
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', counts: { updated: 450, unchanged: 0 } });
    expect(lookups.mock.calls.map(([, ids]) => ids.length)).toEqual([200, 200, 50]);
    // Each page's lookup ends after the next page was asked for, and before the one after it.
    expect(events).toEqual(['request', 'request', 'looked up 200', 'request', 'looked up 200', 'looked up 50']);
    expect(rereads).toEqual([]);
    const log = await store.changes.list(orgId, { runId: run.id, limit: 1_000 });
    expect(log).toHaveLength(450);
    expect(new Set(log.map((c) => JSON.stringify([c.action, c.changedFields])))).toEqual(new Set([JSON.stringify(['updated', ['city']])]));
  });

  it('tells listeners of every delta page as it is read, without writing the run record for each', async () => {
    const sync = await syncedThenChanged(500, 450, { city: 'Paris' });
    const reading: number[] = [];
    sync.events.on('progress', (e) => {
      if (e.phase === 'reading_changes') reading.push(e.pages);
    });
    const writes = jest.spyOn(store.runs, 'transition');
    const run = await sync.runSync(orgId);
    expect(run.counts).toMatchObject({ updated: 450 });
    expect(reading).toEqual([1, 2, 3]);
    // The record says the round is reading once (its first page), then at most once a second: not once a page.
    expect(writes.mock.calls.filter(([, , change]) => change.phase === 'reading_changes')).toHaveLength(1);
  });

  it('looks up with their slice the changed employees beyond what it keeps ahead, and still logs exactly what changed', async () => {
    const sync = await syncedThenChanged(500, 450, { jobTitle: 'Engineer' }, { employeesLookedUpAhead: 300 });
    const run = await sync.runSync(orgId);
    expect(run.counts).toMatchObject({ updated: 450, unchanged: 0 });
    // The second page (200 more) would pass 300: its users are looked up with their slice, and
    // their previous attributes read when written; the third (50) fits beside the first.
    expect(rereads).toEqual([200]);
    const log = await store.changes.list(orgId, { runId: run.id, limit: 1_000 });
    expect(log.filter((c) => c.action === 'updated' && c.changedFields?.join() === 'jobTitle')).toHaveLength(450);
    expect(await store.employees.count(orgId, 'active')).toBe(500);
  });

  it('previews an incremental round by looking up each slice as it compares it, not ahead', async () => {
    const sync = await syncedThenChanged(300, 250, { country: 'France' });
    const ahead = jest.spyOn(store.employees, 'storedWithAttributesByEntraIds');
    const preview = await sync.runSync(orgId, { dryRun: true });
    expect(preview).toMatchObject({ status: 'succeeded', dryRun: true, counts: { updated: 250 } });
    expect(ahead).not.toHaveBeenCalled();
    expect(rereads).toEqual([]);
  });

  it('deactivates exactly the employees no longer read, found in the database a few at a time', async () => {
    for (const id of people(60)) tenant.addUser({ id });
    const sync = service({ changesPerTransaction: 7, employeesPerLookup: 4 });
    await sync.runSync(orgId);
    const gone = ['p3', 'p17', 'p18', 'p41', 'p59'];
    for (const id of gone) tenant.deleteUser(id);
    tenant.updateUser('p5', { department: 'Sales' });
    const run = await sync.runSync(orgId, { full: true });
    expect(run).toMatchObject({ status: 'succeeded', counts: { updated: 1, unchanged: 54, deactivated: 5 } });
    expect(run.report!.deactivated.map((d) => d.entraObjectId).sort()).toEqual([...gone].sort());
    const inactive = await store.employees.list(orgId, { status: 'inactive' });
    expect(inactive.map((e) => e.entraObjectId).sort()).toEqual([...gone].sort());
    expect(await store.employees.count(orgId, 'active')).toBe(55);
  });

  it('keeps what a failed run had compared: the changes it kept are written, nobody is deactivated', async () => {
    for (const id of people(30)) tenant.addUser({ id });
    tenant.addGroup('gA', 'arsen', people(30));
    await store.configurations.save(orgId, { scope: { kind: 'group_name', groupName: 'arsen' } });
    const sync = service();
    await sync.runSync(orgId);
    tenant.updateUser('p1', { department: 'Sales' });
    tenant.deleteUser('p2');
    const failing = {
      ...tenant,
      requestCount: 0,
      get: tenant.get.bind(tenant),
      batch: tenant.batch.bind(tenant),
      // The members are read and compared; reading the nested groups after them fails.
      async *pages<T>(path: string) {
        if (path.includes('microsoft.graph.group')) throw new Error('Graph went away');
        yield* tenant.pages<T>(path);
      },
    };
    const broken = new SyncService({ store, graphReaderFor: () => failing });
    const run = await broken.runSync(orgId, { full: true });
    expect(run.status).toBe('failed');
    expect((await store.employees.findByEntraObjectId(orgId, 'p1'))?.department).toBe('Sales');
    expect(await store.employees.count(orgId, 'active')).toBe(30);
  });
});
