import pg from 'pg';
import type { TenantSummary } from '@users-sync/emulator/index';
import type { Store, SyncRun } from '@users-sync/api/store/index';
import { describePostgres, testDatabaseUrl } from '../../api/store/store-backends';
import { DatabaseLink } from '../../api/store/database-link';
import { directoryDifferences } from './support/directory-comparison';
import { churn } from './support/entra-churn';
import { ApiProcess, microsoftEnvironment, ProductData, startCli } from './support/product-processes';
import { companyTenant, reliabilityFile } from './support/reliability-emulator';
import type { ScenarioRecord } from './support/reliability-report';
import { faultFreeDirectory } from './support/sync-host';
import { suiteSize } from './support/suite-size';

/**
 * PostgreSQL lost in the middle of a run — the link to it cut for a while (restart,
 * failover), or every session of the process ended (pg_terminate_backend). The process
 * stays up, the run fails or finishes cleanly, and the next sync is accepted without a
 * manual step and without waiting out the 60 s silence rule: a run the database's loss
 * interrupted is closed as soon as the database answers again (issue 11). The directory
 * ends as a fault-free run leaves it.
 */
const suite = reliabilityFile('database-loss');
const { report } = suite;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until<T>(what: string, probe: () => Promise<T | undefined>, withinMs: number, everyMs = 100): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() - started > withinMs) throw new Error(`never within ${withinMs / 1000} s: ${what}`);
    await sleep(everyMs);
  }
}
/** Shorter than the silence rule's 60 s: a next sync accepted within it was not merely timed out. */
const soonerThanSilence = 40_000;

/** Ends every session of one database but ours, as an operator's pg_terminate_backend or a failover does. */
async function terminateSessions(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    const ended = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
    return ended.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

const midRun = (store: Store, organizationId: string, pages: number) =>
  until('the sync is in the middle of its reading', async () => (await store.runs.list(organizationId, { limit: 1 })).find((r) => r.status === 'running' && r.pages >= pages), 60_000, 20);
const settled = (store: Store, runId: string, withinMs = 120_000) =>
  until(`run ${runId} settles`, async () => {
    const run = await store.runs.get(runId);
    return run && run.status !== 'queued' && run.status !== 'running' ? run : undefined;
  }, withinMs, 200);

interface Setup {
  tenant: TenantSummary;
  data: ProductData;
  link: DatabaseLink;
  organizationId: string;
  store: Store;
  scenario: ScenarioRecord;
}

async function withDatabase(name: string, seed: number, body: (setup: Setup) => Promise<void>): Promise<void> {
  const scenario = report.scenario(name);
  const tenant = await companyTenant(suite.emulator, seed);
  const data = await ProductData.create('postgres');
  const link = await DatabaseLink.open(data.databaseUrl!);
  const organizationId = await data.connectedOrganization(tenant, 'arsen');
  // The test reads the directory on its own connection, never through the link it cuts.
  const store = await data.open();
  try {
    await body({ tenant, data, link, organizationId, store, scenario });
    await suite.emulator.control.clearFaults(tenant.tenantId);
    const differences = directoryDifferences(await store.employees.list(organizationId), await faultFreeDirectory(suite.emulator, tenant, 'arsen'));
    scenario.compared(differences);
    expect(differences).toEqual([]);
  } finally {
    await store.close();
    await link.close();
    await data.remove();
    await suite.emulator.control.deleteTenant(tenant.tenantId);
  }
}

async function adminToken(tenant: TenantSummary): Promise<string> {
  const { accessToken } = await suite.emulator.control.token(tenant.tenantId, { user: tenant.admin!.userPrincipalName, clientId: tenant.app.clientId, audience: tenant.app.clientId, scopes: ['access_as_user'] });
  return accessToken;
}

async function startRun(api: ApiProcess, token: string, full: boolean): Promise<{ id: string; started: boolean } | undefined> {
  const answer = await api.call<{ id: string }>('POST', '/api/sync/runs', token, { full });
  if (answer.status >= 300) return undefined;
  return { id: answer.body.id, started: answer.headers.get('x-sync-already-running') !== 'true' };
}

/**
 * After the loss: the run the database lost ended cleanly (failed deactivating nobody, or
 * finished), a new sync is accepted well before the silence rule, it succeeds, and the api
 * never died.
 */
async function expectRecovered(
  api: ApiProcess,
  token: string,
  store: Parameters<typeof settled>[0],
  lostRunId: string,
  scenario: ScenarioRecord,
  label: string,
  options: { waitUntilReady?: boolean } = {},
): Promise<void> {
  const lost = await settled(store, lostRunId, soonerThanSilence);
  scenario.run(label, lost);
  expect(['failed', 'succeeded']).toContain(lost.status);
  if (lost.status === 'failed') expect(lost.counts.deactivated).toBe(0);
  if (options.waitUntilReady) await until('ready again', async () => ((await fetch(`${api.url}/readyz`)).status === 200 ? true : undefined), soonerThanSilence);
  const next = await until('a new sync is accepted', async () => {
    const asked = await startRun(api, token, false);
    return asked && asked.id !== lostRunId ? asked : undefined;
  }, soonerThanSilence, 500);
  const run = await settled(store, next.id);
  scenario.run('next sync', run);
  expect(run.status).toBe('succeeded');
  expect(api.alive).toBe(true);
}

describePostgres('PostgreSQL lost in the middle of a sync', () => {
  it('the api lives through its link to PostgreSQL cut for seconds mid full sync, and the next sync is accepted without a manual step', () =>
    withDatabase('link to PostgreSQL cut for 5 s in the middle of the api\'s full sync', 5101, async ({ tenant, data, link, organizationId, store, scenario }) => {
      const api = await ApiProcess.start({ ...data.environment(link.url), ...microsoftEnvironment(suite.emulator, tenant) });
      try {
        const token = await adminToken(tenant);
        await suite.emulator.control.setFaults(tenant.tenantId, { latencyMs: 250 });
        const doomed = (await startRun(api, token, false))!;
        await midRun(store, organizationId, 2);
        link.cut();
        scenario.fault('PostgreSQL unreachable (link cut)');
        expect((await fetch(`${api.url}/readyz`)).status).toBe(503);
        await sleep(5000);
        if (!api.alive) throw new Error(`the api died while the database was away:\n${api.log.slice(-3000)}`);
        link.restore();
        await suite.emulator.control.clearFaults(tenant.tenantId);
        await expectRecovered(api, token, store, doomed.id, scenario, 'full sync (database lost mid-run)', { waitUntilReady: true });
      } finally {
        await api.stop();
      }
    }));

  it('the api lives through every session of its database terminated mid incremental sync, and syncs again at once', () =>
    withDatabase('every session of the api\'s database terminated in the middle of an incremental sync', 5102, async ({ tenant, data, link, organizationId, store, scenario }) => {
      const api = await ApiProcess.start({ ...data.environment(link.url), ...microsoftEnvironment(suite.emulator, tenant) });
      try {
        const token = await adminToken(tenant);
        scenario.run('first full sync', await settled(store, (await startRun(api, token, false))!.id));
        await churn(suite.emulator.control, tenant.tenantId, suiteSize.churn, 5102);
        await suite.emulator.control.setFaults(tenant.tenantId, { latencyMs: 400 });
        const doomed = (await startRun(api, token, false))!;
        await midRun(store, organizationId, 1);
        // Our own reading session is in the same database: it is ended too, and reconnects.
        const ended = await terminateSessions(data.databaseName!);
        scenario.fault('PostgreSQL sessions terminated', ended);
        await suite.emulator.control.clearFaults(tenant.tenantId);
        await expectRecovered(api, token, store, doomed.id, scenario, 'incremental sync (sessions terminated mid-run)');
      } finally {
        await api.stop();
      }
    }));

  it('the command line whose link to PostgreSQL is cut mid-run ends with a clear failure, and the next one syncs without waiting out the silence rule', () =>
    withDatabase('link to PostgreSQL cut for 3 s in the middle of the command line\'s full sync', 5103, async ({ tenant, data, link, organizationId, store, scenario }) => {
      const environment = { ...data.environment(link.url), ...microsoftEnvironment(suite.emulator, tenant) };
      await suite.emulator.control.setFaults(tenant.tenantId, { latencyMs: 250 });
      const doomed = startCli(['sync', '--org', organizationId, '--json'], environment);
      const running = await midRun(store, organizationId, 2);
      link.cut();
      scenario.fault('PostgreSQL unreachable (link cut)');
      await sleep(3000);
      link.restore();
      await suite.emulator.control.clearFaults(tenant.tenantId);
      const ended = await doomed.done;
      scenario.note(`the command line exited ${ended.code ?? ended.signal}: ${ended.stderr.trim().slice(0, 160)}`);
      // Ends by itself with a status, never a crash on an unhandled pool error.
      expect(ended.signal).toBeNull();
      expect(ended.stderr).not.toMatch(/Unhandled|BoundPool|at .*node_modules/);
      const lost = await settled(store, running.id, soonerThanSilence);
      scenario.run('full sync (database lost mid-run)', lost);
      expect(lost.counts.deactivated).toBe(0);
      const next = await until('the command line syncs again', async () => {
        const result = await startCli(['sync', '--org', organizationId, '--json'], environment).done;
        return result.code === 0 ? (JSON.parse(result.stdout) as SyncRun) : undefined;
      }, soonerThanSilence, 1000);
      scenario.run('next sync', next);
      expect(next.status).toBe('succeeded');
    }));
});
