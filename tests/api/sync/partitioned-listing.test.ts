import path from 'node:path';
import { createGraphReader } from '@users-sync/api/graph/index';
import type { Store } from '@users-sync/api/store/index';
import { SyncService } from '@users-sync/api/sync/index';
import { upnPartitions } from '@users-sync/api/sync/full-sync';
import { startEmulator, type RunningEmulator } from '@users-sync/emulator/index';
import { testCertificateDir } from '../../support/dev-certificate-path';
import { describeEachStore } from '../store/store-backends';

/**
 * A tenant of thousands is read in partitions by the UPN's first character, side by side,
 * and the sync still sees everyone exactly once — including a user whose UPN starts with a
 * character the partitions do not cover, found by checking the count.
 */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
});
afterAll(() => emulator.close());

describe('UPN partitions', () => {
  it('hold every initial a UPN may start with exactly once, more of them as the tenant grows', () => {
    const allowed = [...'abcdefghijklmnopqrstuvwxyz0123456789', "'", '-', '_', '!', '#', '^', '~'];
    for (const users of [0, 2_500, 40_000, 100_000, 1_000_000]) expect(upnPartitions(users).flat().sort()).toEqual([...allowed].sort());
    expect(upnPartitions(2_500).length).toBeLessThan(upnPartitions(100_000).length);
  });
});

describeEachStore('reading a large tenant in partitions', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  let tenantId: string;
  let orgId: string;
  let service: SyncService;

  beforeEach(async () => {
    ({ store, done } = await backend.open());
    tenantId = (await emulator.control.createTenant({ users: 2_500, groups: 0, seed: 5, nonUserObjects: false })).tenantId;
    service = new SyncService({
      store,
      graphReaderFor: (tenant) => createGraphReader({ tenantId: tenant, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url, retry: { baseDelayMs: 5, maxDelayMs: 50 } }),
    });
    orgId = (await store.organizations.create('Contoso')).id;
    await store.connections.save(orgId, tenantId, 'granted');
  });
  afterEach(async () => {
    await done();
    await emulator.control.deleteTenant(tenantId).catch(() => undefined);
  });

  it('brings every user once, and a re-sync finds them all unchanged', async () => {
    const first = await service.runSync(orgId, { full: true });
    expect(first.status).toBe('succeeded');
    expect(first.counts.created + first.counts.skipped).toBe(2_500);
    // The first page of the plain listing (100 users), then every user once from the partitions: no second listing was needed.
    expect(first.usersRead).toBe(2_600);
    const again = await service.runSync(orgId, { full: true });
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deactivated: 0, unchanged: first.counts.created });
  });

  it('reads the whole listing as well when the partitions bring fewer users than the tenant counts', async () => {
    await emulator.control.createUser(tenantId, { displayName: 'Odd', userPrincipalName: '$odd@contoso.com', mail: 'odd@contoso.com', accountEnabled: true });
    const run = await service.runSync(orgId, { full: true });
    expect(run.status).toBe('succeeded');
    expect(await store.employees.findByEntraObjectId(orgId, (await emulator.control.users(tenantId, { limit: 10_000 })).value.find((u) => u.userPrincipalName === '$odd@contoso.com')!.id)).toMatchObject({ email: 'odd@contoso.com', status: 'active' });
    expect(run.counts.created + run.counts.skipped).toBe(2_501);
  });

  it('asks Graph about anyone the partitions missed before deactivating them, even when the count did not show the miss', async () => {
    const first = await service.runSync(orgId, { full: true });
    expect(first.status).toBe('succeeded');
    // A UPN renamed to start outside every partition, while the (eventually consistent) count lags by one.
    // Past the plain listing's first page, which the sync reads before partitioning.
    const [someone] = (await emulator.control.users(tenantId, { limit: 1, offset: 2_000 })).value;
    await emulator.control.updateUser(tenantId, someone!.id, { userPrincipalName: `$renamed@${someone!.userPrincipalName.split('@')[1]}` });
    const lagging = new SyncService({
      store,
      graphReaderFor: (tenant) => {
        const reader = createGraphReader({ tenantId: tenant, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
        const get = reader.get.bind(reader);
        reader.get = (async (path: string, options?: never) => (path === '/users/$count' ? String(Number(await get(path, options)) - 1) : get(path, options))) as typeof reader.get;
        return reader;
      },
    });
    const run = await lagging.runSync(orgId, { full: true });
    expect(run.status).toBe('succeeded');
    expect(run.counts.deactivated).toBe(0);
    expect(await store.employees.findByEntraObjectId(orgId, someone!.id)).toMatchObject({ status: 'active' });
  });
});
