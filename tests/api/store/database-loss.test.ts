import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { buildApiServices } from '@users-sync/api/composition';
import { loadApiConfig } from '@users-sync/api/config';
import { createApiApp, type ApiApp } from '@users-sync/api/http/app';
import { close, createLogger, listen } from '@users-sync/api/service/index';
import { dropPostgresSchema, interruptedRunMessage, openStore, type Store } from '@users-sync/api/store/index';
import { SyncService } from '@users-sync/api/sync/index';
import { freePort } from '../../support/free-port';
import { ApiHarness, eventually } from '../http/api-harness';
import { FakeTenant } from '../sync/fake-graph';
import { DatabaseLink } from './database-link';
import { describePostgres } from './store-backends';

const silent = createLogger({ service: 'api', level: 'silent', pretty: false });

describePostgres('the api when PostgreSQL drops its connections', (databaseUrl) => {
  let schema: string;
  const stores: Store[] = [];
  const connectionErrors: Error[] = [];
  const open = async (url: string) => {
    const store = await openStore({ dataDir: os.tmpdir(), databaseUrl: url, schema, onConnectionError: (error) => connectionErrors.push(error) });
    stores.push(store);
    return store;
  };
  beforeEach(() => {
    schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
    connectionErrors.length = 0;
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
    await dropPostgresSchema(databaseUrl, schema);
  });

  /** What an operator's `pg_terminate_backend` (or a failover) does to this store's sessions only. */
  const terminateSessions = async () => {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const ended = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [`users-sync:${schema}`]);
      return ended.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  };

  it('stays alive when its idle sessions are terminated, and answers the next query on a new one', async () => {
    const store = await open(databaseUrl);
    // Several sessions at once, then idle in the pool.
    await Promise.all([1, 2, 3].map((i) => store.organizations.create(`Org ${i}`)));
    const ended = await terminateSessions();
    expect(ended).toBeGreaterThan(0);
    // Each idle session's end reaches the pool on its own; once all have, none is handed out again.
    await eventually(async () => (connectionErrors.length >= ended ? true : undefined), 'the pool hears that every session ended');
    // Under load the pool can still hold a session whose end it has not processed; the store answers again soon after.
    expect(await eventually(async () => ((await store.answers(10_000)) ? true : undefined), 'the store answers on a new session')).toBe(true);
    expect((await store.organizations.list()).length).toBe(3);
  });

  it('settles a sync whose sessions are terminated while it runs, and accepts the next sync at once', async () => {
    const store = await open(databaseUrl);
    const organization = await store.organizations.create('Contoso');
    await store.connections.save(organization.id, 'tenant-1', 'granted');
    const tenant = new FakeTenant();
    for (let i = 0; i < 30; i += 1) tenant.addUser({ id: `p${i}` });
    let terminated: Promise<number> | undefined;
    tenant.onRequest = () => {
      terminated ??= terminateSessions();
    };
    const service = new SyncService({ store, graphReaderFor: () => tenant, logger: silent });
    const first = await service.runSync(organization.id, { full: true });
    await terminated;
    expect(['succeeded', 'failed']).toContain(first.status);
    tenant.onRequest = null;
    const next = await eventually(async () => {
      const run = await store.runs.get(first.id).catch(() => undefined);
      return run && run.status !== 'running' ? service.runSync(organization.id, { full: true }) : undefined;
    }, 'the next sync is accepted');
    expect(next).toMatchObject({ status: 'succeeded', counts: { deactivated: 0 } });
    expect(await store.employees.count(organization.id, 'active')).toBe(30);
  });

  describe('cut off from the database for a while', () => {
    let link: DatabaseLink;
    beforeEach(async () => {
      link = await DatabaseLink.open(databaseUrl);
    });
    afterEach(() => link.close());

    it('records a sync the loss interrupted as interrupted as soon as the database is back, and syncs again at once', async () => {
      const store = await open(link.url);
      const organization = await store.organizations.create('Contoso');
      await store.connections.save(organization.id, 'tenant-1', 'granted');
      const tenant = new FakeTenant();
      for (let i = 0; i < 30; i += 1) tenant.addUser({ id: `p${i}` });
      tenant.onRequest = () => link.cut();
      // The silence rule's minute never comes into it: the run is closed when the database answers again.
      const service = new SyncService({ store, graphReaderFor: () => tenant, logger: silent, databaseRetryMs: 50 });
      const lost = await service.runSync(organization.id, { full: true });
      expect(lost).toMatchObject({ status: 'failed', error: { code: 'SYNC_INTERRUPTED', message: interruptedRunMessage } });
      expect(await store.answers(500)).toBe(false);

      tenant.onRequest = null;
      link.restore();
      const recorded = await eventually(async () => {
        const run = await store.runs.get(lost.id).catch(() => undefined);
        return run?.status === 'failed' ? run : undefined;
      }, 'the interrupted run is recorded');
      expect(recorded.error).toEqual({ code: 'SYNC_INTERRUPTED', message: interruptedRunMessage });
      expect(await service.runSync(organization.id, { full: true })).toMatchObject({ status: 'succeeded', counts: { created: 30, deactivated: 0 } });
      service.dispose();
    });

    it('reports itself not ready while the database is away, and ready again once it is back, without a restart', async () => {
      const store = await open(link.url);
      const app: ApiApp = createApiApp(await buildApiServices(loadApiConfig({ DATA_DIR: os.tmpdir() }), silent, { store, changeNotifications: false }), '1.0.0');
      const port = await freePort();
      await listen(app.server, port, '127.0.0.1', 'API_PORT');
      try {
        const readiness = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
        expect(await readiness()).toBe(200);
        link.cut();
        expect(await readiness()).toBe(503);
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
        link.restore();
        await eventually(async () => ((await readiness()) === 200 ? true : undefined), 'ready again');
      } finally {
        await close(app.server);
        stores.splice(stores.indexOf(store), 1);
        await app.stop();
      }
    });
  });

  describe('with its job queue (pg-boss) on the same database', () => {
    // A database of its own: every session in it is this api's (store and pg-boss), none another test's.
    const database = `users_sync_loss_${process.pid}_${randomBytes(3).toString('hex')}`;
    const ownUrl = databaseUrl.replace(/\/[^/]*$/, `/${database}`);
    const admin = () => new pg.Client({ connectionString: databaseUrl });
    let api: ApiHarness | undefined;
    beforeAll(async () => {
      const client = admin();
      await client.connect();
      await client.query(`create database "${database}"`);
      await client.end();
    });
    afterAll(async () => {
      await api?.stop();
      const client = admin();
      await client.connect();
      await client.query(`drop database if exists "${database}" with (force)`);
      await client.end();
    });

    it('lives through every session of its store and its job queue being terminated, and syncs again without a restart', async () => {
      api = await ApiHarness.start({ databaseUrl: ownUrl, changeNotifications: false, tenant: { users: 20, groups: 2, seed: 5 } });
      const token = await api.tokenFor(api.adminUpn);
      await api.consent(token, api.adminUpn);
      const first = await api.call<{ id: string }>('POST', '/api/sync/runs', { token, body: {} });
      expect((await api.settledRun<{ status: string }>(token, first.body.id)).status).toBe('succeeded');

      const client = admin();
      await client.connect();
      try {
        const ended = await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
        expect(ended.rowCount).toBeGreaterThan(1);
      } finally {
        await client.end();
      }
      await eventually(async () => ((await api!.call('GET', '/readyz')).status === 200 ? true : undefined), 'ready again');
      const next = await eventually(async () => {
        const asked = await api!.call<{ id: string }>('POST', '/api/sync/runs', { token, body: { full: true } });
        return asked.status === 202 ? asked.body : undefined;
      }, 'a sync is accepted');
      expect((await api.settledRun<{ status: string }>(token, next.id)).status).toBe('succeeded');
    });
  });
});
