import path from 'node:path';
import { createGraphReader } from '@users-sync/api/graph/index';
import { interruptedRunMessage, type Store, type SyncRun } from '@users-sync/api/store/index';
import { SyncService, type SyncServiceOptions } from '@users-sync/api/sync/index';
import { startEmulator, type RunningEmulator } from '@users-sync/emulator/index';
import { testCertificateDir } from '../../support/dev-certificate-path';
import { describeEachStore } from '../store/store-backends';
import { FakeTenant } from './fake-graph';

/** Who may write a run's record, and when: a slow run, a declared-dead run, decisions and cancels at once. */
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
});
afterAll(() => emulator.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachStore('the sync run lifecycle', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  let orgId: string;
  beforeEach(async () => {
    ({ store, done } = await backend.open());
    orgId = (await store.organizations.create('Contoso')).id;
  });
  afterEach(() => done());

  const inactive = async () => (await store.employees.list(orgId, { status: 'inactive' })).map((e) => e.email).sort();

  describe('against the emulator, with one Graph call spending longer in retries than a run may stay silent', () => {
    let tenantId: string;
    // A second of retries against a staleness limit of 300 ms: the minutes of production, scaled down.
    let options: SyncServiceOptions;
    beforeEach(async () => {
      tenantId = (await emulator.control.createTenant({ users: 0, groups: 0 })).tenantId;
      await store.connections.save(orgId, tenantId, 'granted');
      options = {
        store,
        graphReaderFor: (tenant) =>
          createGraphReader({ tenantId: tenant, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 12 } }),
        staleRunAfterMs: 300,
        heartbeatEveryMs: 50,
      };
      for (const name of ['ada', 'bob', 'cy', 'dee']) {
        await emulator.control.createUser(tenantId, { displayName: name, userPrincipalName: `${name}@contoso.com`, mail: `${name}@contoso.com`, accountEnabled: true });
      }
    });
    afterEach(() => emulator.control.deleteTenant(tenantId).catch(() => undefined));

    const slowGraph = () => emulator.control.setFaults(tenantId, { failNext: { count: 4, status: 503 }, retryAfterSeconds: 0.25 });
    const until = async (probe: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await probe()); i += 1) await sleep(20);
    };

    it('keeps a slow run alive: a second run is refused rather than started beside it', async () => {
      const service = new SyncService(options);
      await slowGraph();
      const { run, done: first } = await service.startRun(orgId, { full: true });
      await sleep(700);
      // Another process (the command line, another api instance) asks while the run waits on Graph.
      await expect(new SyncService(options).startRun(orgId)).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING' });
      expect(await first).toMatchObject({ id: run.id, status: 'succeeded', counts: { created: 4 } });
      expect((await store.runs.list(orgId)).map((r) => r.status)).toEqual(['succeeded']);
    });

    it('stops a run declared interrupted while it waits on Graph: it deactivates nobody and leaves the declaration as it is', async () => {
      const service = new SyncService(options);
      expect(await service.runSync(orgId)).toMatchObject({ status: 'succeeded', counts: { created: 4 } });
      await emulator.control.disableUser(tenantId, 'dee@contoso.com');
      await slowGraph();
      const finished: SyncRun[] = [];
      service.events.on('finished', (r) => finished.push(r));
      const { run, done: slow } = await service.startRun(orgId);
      await until(async () => (await store.runs.get(run.id))?.status === 'running');
      // Someone else found it silent and declared it interrupted (as createUnlessActive does).
      await store.runs.update(run.id, { status: 'failed', finishedAt: store.now(), error: { code: 'SYNC_INTERRUPTED', message: 'declared elsewhere' } });
      const ended = await slow;
      expect(ended).toMatchObject({ status: 'failed', error: { code: 'SYNC_INTERRUPTED' } });
      expect(await inactive()).toEqual([]);
      expect(finished).toEqual([]);
      // The run that replaces it does the work once.
      expect(await new SyncService(options).runSync(orgId)).toMatchObject({ status: 'succeeded', counts: { deactivated: 1 } });
      expect(await inactive()).toEqual(['dee@contoso.com']);
    });
  });

  describe('the silence rule, the same for every entry point', () => {
    let tenant: FakeTenant;
    beforeEach(async () => {
      tenant = new FakeTenant();
      tenant.addUser({ id: 'ada' });
      await store.connections.save(orgId, 'tenant-1', 'granted');
    });
    // A process that claimed a run and ended without a word (killed, lost its database).
    const deadRun = async () => {
      const { run } = await store.activeRuns.createUnlessActive({ organizationId: orgId, trigger: 'cli', mode: 'full', dryRun: false });
      expect(await store.activeRuns.claim(run.id)).toBe(true);
      return run;
    };

    it('answers "already under way" while the run signals, then closes it as interrupted and tells the next request so', async () => {
      const service = new SyncService({ store, graphReaderFor: () => tenant, staleRunAfterMs: 300 });
      const dead = await deadRun();
      expect(await service.queueRun(orgId, { trigger: 'manual', dryRun: false, full: false })).toMatchObject({ started: false, run: { id: dead.id } });
      await expect(service.runSync(orgId)).rejects.toMatchObject({ code: 'SYNC_ALREADY_RUNNING', message: expect.stringContaining(dead.id) });
      await sleep(400);
      const next = await service.queueRun(orgId, { trigger: 'manual', dryRun: false, full: false });
      expect(next).toMatchObject({ started: true, interrupted: { id: dead.id, status: 'failed', error: { code: 'SYNC_INTERRUPTED', message: interruptedRunMessage } } });
      expect(await service.executeRun(next.run)).toMatchObject({ status: 'succeeded', counts: { created: 1, deactivated: 0 } });
    });

    it("closes silent runs on the api's sweep, leaving queued runs to the job queue that holds them", async () => {
      const service = new SyncService({ store, graphReaderFor: () => tenant, staleRunAfterMs: 300 });
      const dead = await deadRun();
      await sleep(400);
      expect((await service.closeInterruptedRuns({ queuedToo: false })).map((r) => r.id)).toEqual([dead.id]);
      const { run: queued } = await store.activeRuns.createUnlessActive({ organizationId: orgId, trigger: 'schedule', mode: 'incremental', dryRun: false });
      await sleep(400);
      expect(await service.closeInterruptedRuns({ queuedToo: false })).toEqual([]);
      expect((await service.closeInterruptedRuns({ queuedToo: true })).map((r) => r.id)).toEqual([queued.id]);
    });
  });

  describe('decisions and cancellations asked at once', () => {
    let tenant: FakeTenant;
    let service: SyncService;
    beforeEach(async () => {
      tenant = new FakeTenant();
      service = new SyncService({ store, graphReaderFor: () => tenant });
      await store.connections.save(orgId, 'tenant-1', 'granted');
    });

    it('lets one of an approve, a reject and an approve sent together decide a held run; the others are refused', async () => {
      for (let i = 0; i < 40; i += 1) tenant.addUser({ id: `p${i}` });
      await service.runSync(orgId);
      for (let i = 0; i < 12; i += 1) tenant.deleteUser(`p${i}`);
      const held = await service.runSync(orgId);
      expect(held.status).toBe('awaiting_approval');
      const finished: SyncRun[] = [];
      service.events.on('finished', (r) => finished.push(r));

      const outcomes = await Promise.allSettled([service.approve(orgId, held.id), service.reject(orgId, held.id), service.approve(orgId, held.id)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const refused of outcomes.filter((o) => o.status === 'rejected')) expect(refused.reason).toMatchObject({ code: 'RUN_NOT_AWAITING_APPROVAL' });
      expect(finished).toHaveLength(1);
      const decided = (await store.runs.get(held.id))!;
      expect(decided.status).toBe(finished[0]!.status);
      const deactivations = (await store.changes.list(orgId, { runId: held.id })).filter((c) => c.action === 'deactivated');
      expect(deactivations).toHaveLength(decided.status === 'succeeded' ? 12 : 0);
      expect(await inactive()).toHaveLength(decided.status === 'succeeded' ? 12 : 0);
    });

    it('turns the cancel of a queued run that an instance takes meanwhile into a cancel of the running run', async () => {
      const { run } = await store.activeRuns.createUnlessActive({ organizationId: orgId, trigger: 'manual', mode: 'full', dryRun: false });
      // Another instance claims the run between this instance's read and its write.
      let claimed = false;
      const racing: Store = {
        ...store,
        runs: {
          ...store.runs,
          get: async (runId: string) => {
            const read = await store.runs.get(runId);
            if (!claimed) claimed = await store.activeRuns.claim(runId);
            return read;
          },
        },
      };
      const answer = await new SyncService({ store: racing, graphReaderFor: () => tenant }).cancel(orgId, run.id);
      expect(claimed).toBe(true);
      // Not "cancelled" while it runs on: the instance running it is asked to stop, and ends it cancelled.
      expect(answer.status).toBe('running');
      expect(await store.activeRuns.cancelRequested([run.id])).toEqual([run.id]);
    });
  });
});
