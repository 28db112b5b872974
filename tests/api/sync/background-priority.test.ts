import type { Store } from '@users-sync/api/store/index';
import { SyncService } from '@users-sync/api/sync/index';
import { describeEachStore } from '../store/store-backends';
import { FakeTenant } from './fake-graph';

/**
 * Runs nobody waits on (the schedule, change notifications) read Graph with
 * `x-ms-throttle-priority: low`, so Graph throttles them before what an admin is waiting for
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 */
describeEachStore('Graph priority of a sync', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  let orgId: string;
  const asked: Array<string | undefined> = [];
  let service: SyncService;

  beforeEach(async () => {
    ({ store, done } = await backend.open());
    const tenant = new FakeTenant().addUser({ id: 'ada' });
    asked.length = 0;
    service = new SyncService({
      store,
      graphReaderFor: (_tenantId, settings) => {
        asked.push(settings?.priority);
        return tenant;
      },
    });
    orgId = (await store.organizations.create('Contoso')).id;
    await store.connections.save(orgId, 'tenant-1', 'granted');
  });
  afterEach(() => done());

  it('is low for scheduled runs and change notifications, normal for a run someone started', async () => {
    await service.runSync(orgId, { trigger: 'schedule' });
    await service.runSync(orgId, { trigger: 'webhook' });
    await service.runSync(orgId, { trigger: 'manual' });
    expect(asked).toEqual(['low', 'low', undefined]);
  });
});
