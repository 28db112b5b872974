import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SyncJobs } from '@users-sync/api/jobs/sync-jobs';
import { createSyncSchedule } from '@users-sync/api/jobs/sync-schedule';
import { openStore, type Store, type SyncRun } from '@users-sync/api/store/index';
import { createLogger } from '@users-sync/api/service/index';
import { ApiHarness } from './api-harness';

type Run = { id: string; status: string; trigger: string };

describe('continuous updates on a schedule', () => {
  let api: ApiHarness;
  let token: string;
  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 20, groups: 2, seed: 17 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
  });
  afterAll(() => api.stop());

  const scheduleAt = (at: Date) =>
    createSyncSchedule({ store: api.app.services.store, syncJobs: api.app.services.syncJobs, logger: createLogger({ service: 'api', level: 'silent', pretty: false }), now: () => at });

  const settled = (runId: string) => api.settledRun<Run>(token, runId);

  it('starts nothing for an organization that is not connected yet', async () => {
    await api.call('GET', '/api/me', { token });
    expect(await scheduleAt(new Date()).tick()).toEqual([]);
  });

  it('syncs a connected organization when its interval has passed since the last sync, and not before', async () => {
    await api.consent(token, api.adminUpn);
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, schedule: { intervalMinutes: 30 } } });
    await settled(saved.body.run.id);

    expect(await scheduleAt(new Date(Date.now() + 10 * 60_000)).tick()).toEqual([]);
    const started = await scheduleAt(new Date(Date.now() + 31 * 60_000)).tick();
    expect(started).toHaveLength(1);
    const runs = (await api.call<{ runs: Run[] }>('GET', '/api/sync/runs?limit=1', { token })).body.runs;
    expect(runs[0]!.trigger).toBe('schedule');
    expect((await settled(runs[0]!.id)).status).toBe('succeeded');
  });

  it('leaves an organization alone while a sync waits for approval', async () => {
    const group = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Schedule pilot' });
    await api.emulator.control.addMembers(api.tenant.tenantId, group.id, [api.adminUpn]);
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'groups', groupIds: [group.id] }, schedule: { intervalMinutes: 30 } } });
    expect((await settled(saved.body.run.id)).status).toBe('awaiting_approval');
    expect(await scheduleAt(new Date(Date.now() + 2 * 60 * 60_000)).tick()).toEqual([]);
    expect((await api.call<Run>('POST', `/api/sync/runs/${saved.body.run.id}/reject`, { token })).body.status).toBe('rejected');
  });

  it('does nothing for an organization whose schedule is off', async () => {
    await api.call('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, schedule: null } });
    expect(await scheduleAt(new Date(Date.now() + 24 * 60 * 60_000)).tick()).toEqual([]);
  });
});

describe('one check of every organization on the schedule', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-schedule-'));
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ dataDir });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("checks every organization even when one organization's check or upkeep fails", async () => {
    const names = ['Broken upkeep', 'Broken sync', 'Healthy'];
    const ids: string[] = [];
    for (const name of names) {
      const organization = await store.organizations.create(name);
      await store.connections.save(organization.id, `tenant-${ids.length}`, 'granted');
      await store.configurations.save(organization.id, { scope: { kind: 'all' }, schedule: { intervalMinutes: 30 } });
      ids.push(organization.id);
    }
    const [brokenUpkeep, brokenSync, healthy] = ids as [string, string, string];
    const asked: string[] = [];
    const syncJobs: SyncJobs = {
      async request(organizationId) {
        asked.push(organizationId);
        if (organizationId === brokenSync) throw new Error('the database refused this one');
        const { run } = await store.activeRuns.createUnlessActive({ organizationId, trigger: 'schedule', mode: 'incremental', dryRun: false });
        return { run, started: true };
      },
      requestSoon: () => Promise.reject(new Error('not used by the schedule')),
      cancel: (): Promise<SyncRun> => Promise.reject(new Error('not used by the schedule')),
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
    };
    const schedule = createSyncSchedule({
      store,
      syncJobs,
      logger: createLogger({ service: 'api', level: 'silent', pretty: false }),
      maintain: async (organizationId) => {
        if (organizationId === brokenUpkeep) throw new Error('Graph refused the subscription');
      },
    });
    const started = await schedule.tick();
    // Failed upkeep does not cost an organization its sync; a failed sync request does not cost the others theirs.
    expect(started.sort()).toEqual([brokenUpkeep, healthy].sort());
    expect(asked.sort()).toEqual([...ids].sort());
  });
});
