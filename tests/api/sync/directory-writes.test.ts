import type { Store } from '@users-sync/api/store/index';
import { sql } from 'kysely';
import { SyncService } from '@users-sync/api/sync/index';
import { describeEachStore } from '../store/store-backends';
import { FakeTenant } from './fake-graph';

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
  let orgId: string;
  const people = (n: number, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  /** The service over a store that counts the transactions it is asked for. */
  const service = (sizing?: { changesPerTransaction: number; employeesPerLookup: number }) => {
    const counted: Store = { ...store, transaction: (work) => ((transactions += 1), store.transaction(work)) };
    return new SyncService({ store: counted, graphReaderFor: () => tenant, ...(sizing ? { sizing } : {}) });
  };

  beforeEach(async () => {
    ({ store, done } = await backend.open());
    tenant = new FakeTenant();
    transactions = 0;
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
