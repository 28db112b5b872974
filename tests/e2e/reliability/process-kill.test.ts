import type { TenantSummary } from '@users-sync/emulator/index';
import type { Store, SyncRun } from '@users-sync/api/store/index';
import { postgresAvailable } from '../../api/store/store-backends';
import { directoryDifferences } from './support/directory-comparison';
import { churn } from './support/entra-churn';
import { ApiProcess, microsoftEnvironment, ProductData, startCli } from './support/product-processes';
import { companyTenant, reliabilityFile } from './support/reliability-emulator';
import type { ScenarioRecord } from './support/reliability-report';
import { faultFreeDirectory, type StoreKind } from './support/sync-host';
import { suiteSize } from './support/suite-size';

/**
 * SIGKILL of the process running a sync — the api or the command line — in the middle of a
 * full and of an incremental run; the process starts again and syncs again. The dead run
 * blocks new ones only until the silence rule closes it as interrupted (60 s without a
 * heartbeat, README "Sync runs, whoever starts them"), with no manual step, and the
 * directory ends as a fault-free run leaves it. The four scenarios run at once: each waits
 * out that minute.
 */
const suite = reliabilityFile('process-kill');
const { report } = suite;

const silenceBoundMs = 150_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, withinMs: number, everyMs = 100): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > withinMs) throw new Error(`never within ${withinMs / 1000} s: ${what}`);
    await sleep(everyMs);
  }
}

/** The run once it has read `pages` pages: the moment to kill its process. */
const midRun = (store: Store, organizationId: string, pages: number) =>
  until('the sync is in the middle of its reading', async () => (await store.runs.list(organizationId, { limit: 1 })).find((r) => r.status === 'running' && r.pages >= pages), 60_000, 20);

const settled = (store: Store, runId: string) =>
  until(`run ${runId} settles`, async () => {
    const run = await store.runs.get(runId);
    return run && run.status !== 'queued' && run.status !== 'running' ? run : undefined;
  }, 120_000, 200);

interface KillScenario {
  process: 'api' | 'cli';
  mode: 'full' | 'incremental';
  store: StoreKind;
  seed: number;
}

/** Slows Graph so a run is still reading when its process dies; the incremental one gets changes that fill several delta pages. */
async function prepareSlowRun(tenant: TenantSummary, mode: KillScenario['mode'], seed: number, scenario: ScenarioRecord): Promise<void> {
  if (mode === 'incremental') {
    const people = (await suite.emulator.control.users(tenant.tenantId, { limit: 100_000 })).value;
    for (const person of people.slice(10, 460)) await suite.emulator.control.updateUser(tenant.tenantId, person.id, { jobTitle: `Killed mid-run ${seed}` });
  }
  const changes = await churn(suite.emulator.control, tenant.tenantId, suiteSize.churn, seed);
  scenario.note(`${Object.values(changes).reduce((a, b) => a + b, 0)} Entra changes before the killed run`);
  await suite.emulator.control.setFaults(tenant.tenantId, { latencyMs: 500 });
}

async function killScenario({ process: which, mode, store: storeKind, seed }: KillScenario): Promise<void> {
  const scenario = report.scenario(`SIGKILL of the ${which === 'api' ? 'api' : 'command line'} in the middle of ${mode === 'full' ? 'a full' : 'an incremental'} sync (${storeKind})`);
  const tenant = await companyTenant(suite.emulator, seed);
  const data = await ProductData.create(storeKind);
  const organizationId = await data.connectedOrganization(tenant, 'all');
  const environment = { ...data.environment(), ...microsoftEnvironment(suite.emulator, tenant) };
  const store = await data.open();
  let api: ApiProcess | undefined;
  try {
    if (which === 'api') {
      api = await ApiProcess.start(environment);
      const { accessToken } = await suite.emulator.control.token(tenant.tenantId, { user: tenant.admin!.userPrincipalName, clientId: tenant.app.clientId, audience: tenant.app.clientId, scopes: ['access_as_user'] });
      const startRun = async (full: boolean) => {
        const answer = await api!.call<{ id: string }>('POST', '/api/sync/runs', accessToken, { full });
        if (answer.status >= 300) throw new Error(`POST /api/sync/runs answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        return answer.body.id;
      };
      if (mode === 'incremental') scenario.run('first full sync', await settled(store, await startRun(false)));
      await prepareSlowRun(tenant, mode, seed, scenario);
      const doomed = await startRun(mode === 'full');
      await midRun(store, organizationId, mode === 'full' ? 2 : 1);
      await api.kill();
      scenario.fault('SIGKILL of the api');
      scenario.run(`${mode} sync (killed)`, (await store.runs.get(doomed))!);
      await suite.emulator.control.clearFaults(tenant.tenantId);

      api = await ApiProcess.start(environment);
      // Asked again and again, as a person would: the dead run answers until the silence rule closes it.
      const next = await until('a new sync is accepted', async () => {
        const id = await startRun(false);
        return id === doomed ? undefined : id;
      }, silenceBoundMs, 3000);
      const dead = (await store.runs.get(doomed))!;
      scenario.run('the killed run, after the restart', dead);
      expect(dead).toMatchObject({ status: 'failed', error: { code: 'SYNC_INTERRUPTED' }, counts: { deactivated: 0 } });
      const run = await settled(store, next);
      scenario.run('sync after the restart', run);
      expect(run.status).toBe('succeeded');
      expect(api.alive).toBe(true);
    } else {
      const cliSync = (full: boolean) => startCli(['sync', '--org', organizationId, '--json', ...(full ? ['--full'] : [])], environment);
      if (mode === 'incremental') {
        const first = await cliSync(false).done;
        expect(first.code).toBe(0);
        scenario.run('first full sync', JSON.parse(first.stdout) as SyncRun);
      }
      await prepareSlowRun(tenant, mode, seed, scenario);
      const doomed = cliSync(mode === 'full');
      const killed = await midRun(store, organizationId, mode === 'full' ? 2 : 1);
      doomed.child.kill('SIGKILL');
      expect((await doomed.done).signal).toBe('SIGKILL');
      scenario.fault('SIGKILL of the command line');
      scenario.run(`${mode} sync (killed)`, (await store.runs.get(killed.id))!);
      await suite.emulator.control.clearFaults(tenant.tenantId);

      let refusals = 0;
      const next = await until('the command line syncs again', async () => {
        const result = await cliSync(false).done;
        if (result.code === 0) return JSON.parse(result.stdout) as Pick<SyncRun, 'status' | 'mode' | 'error'>;
        // Refused while the dead run looks alive: it says so and what to do.
        expect(result.stderr).toMatch(/already under way/);
        refusals += 1;
        return undefined;
      }, silenceBoundMs, 3000);
      scenario.note(`${refusals} syncs refused while the killed run looked alive`);
      const dead = (await store.runs.get(killed.id))!;
      scenario.run('the killed run, after the restart', dead);
      expect(dead).toMatchObject({ status: 'failed', error: { code: 'SYNC_INTERRUPTED' }, counts: { deactivated: 0 } });
      scenario.run('sync after the restart', next);
      expect(next.status).toBe('succeeded');
    }
    const differences = directoryDifferences(await store.employees.list(organizationId), await faultFreeDirectory(suite.emulator, tenant, 'all'));
    scenario.compared(differences);
    expect(differences).toEqual([]);
  } finally {
    await api?.stop();
    await store.close();
    await data.remove();
    await suite.emulator.control.deleteTenant(tenant.tenantId);
  }
}

const scenarios: KillScenario[] = [
  { process: 'api', mode: 'full', store: 'sqlite', seed: 4101 },
  { process: 'api', mode: 'incremental', store: 'postgres', seed: 4102 },
  { process: 'cli', mode: 'full', store: 'postgres', seed: 4103 },
  { process: 'cli', mode: 'incremental', store: 'sqlite', seed: 4104 },
  ...(suiteSize.everyStore
    ? ([
        { process: 'api', mode: 'full', store: 'postgres', seed: 4105 },
        { process: 'api', mode: 'incremental', store: 'sqlite', seed: 4106 },
        { process: 'cli', mode: 'full', store: 'sqlite', seed: 4107 },
        { process: 'cli', mode: 'incremental', store: 'postgres', seed: 4108 },
      ] as const)
    : []),
];

const title = (s: KillScenario) =>
  `a ${s.process === 'api' ? 'restarted api' : 'command line run again'} after a SIGKILL in the middle of ${s.mode === 'full' ? 'a full' : 'an incremental'} sync syncs again by itself, losing nobody (${s.store})`;

// One describe, so every scenario waits out the silence rule at the same time.
describe('a process killed in the middle of a sync', () => {
  for (const s of scenarios) {
    if (s.store === 'postgres' && !postgresAvailable) test.skip(`${title(s)}: PostgreSQL unreachable`, () => undefined);
    else test.concurrent(title(s), () => killScenario(s), 300_000);
  }
});
