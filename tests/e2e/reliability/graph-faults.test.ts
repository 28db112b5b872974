import { describePostgres } from '../../api/store/store-backends';
import { directoryDifferences } from './support/directory-comparison';
import { churn } from './support/entra-churn';
import { companyTenant, graphFaultMix, recordForcedFaults, reliabilityFile } from './support/reliability-emulator';
import { faultFreeDirectory, SyncHost, type ScopeKind, type StoreKind } from './support/sync-host';
import { suiteSize } from './support/suite-size';

/**
 * Full and incremental syncs while Graph misbehaves as a real tenant's does: 10 % of
 * requests throttled (429 with Retry-After), 5 % unavailable (503), 2 % connections
 * dropped, and latency spikes; one full sync, then three incremental ones after Entra changes. The directory must end as a fault-free run leaves it.
 */
const suite = reliabilityFile('graph-faults');
const { report } = suite;

const cases: Array<[ScopeKind, StoreKind]> = suiteSize.everyStore
  ? [['all', 'sqlite'], ['arsen', 'sqlite'], ['all', 'postgres'], ['arsen', 'postgres']]
  : [['all', 'sqlite'], ['arsen', 'postgres']];

function syncsUnderGraphFaults(scope: ScopeKind, store: StoreKind, seed: number): void {
  it(`ends full and incremental syncs of the ${scope === 'all' ? 'whole tenant' : 'arsen group'} under Graph faults with the directory a fault-free run gives (${store})`, async () => {
    const scenario = report.scenario(`full then incremental sync under Graph faults, scope ${scope}, ${store}`);
    const tenant = await companyTenant(suite.emulator, seed);
    const host = await SyncHost.open(suite.emulator, tenant, { store, scope });
    try {
      await suite.emulator.control.resetCounters(tenant.tenantId);
      // The shares are drawn at random; each run also meets one fault for sure, so every kind shows up.
      await suite.emulator.control.setFaults(tenant.tenantId, { ...graphFaultMix, failNext: { count: 1, status: 'drop' } });
      const full = await host.sync();
      scenario.run('full sync', full);
      expect(full).toMatchObject({ status: 'succeeded', mode: 'full', error: null });

      for (const [round, status] of ([429, 503, 504] as const).entries()) {
        await suite.emulator.control.clearFaults(tenant.tenantId);
        const changes = await churn(suite.emulator.control, tenant.tenantId, Math.ceil(suiteSize.churn / 3), seed * 10 + round);
        scenario.note(`round ${round + 1}: ${Object.values(changes).reduce((a, b) => a + b, 0)} Entra changes`);
        await suite.emulator.control.setFaults(tenant.tenantId, { ...graphFaultMix, failNext: { count: 1, status } });
        const incremental = await host.sync();
        scenario.run(`incremental sync ${round + 1}`, incremental);
        expect(incremental).toMatchObject({ status: 'succeeded', mode: 'incremental', error: null });
      }

      await suite.emulator.control.clearFaults(tenant.tenantId);
      const forced = await recordForcedFaults(suite.emulator, tenant.tenantId, scenario);
      expect(forced).toBeGreaterThanOrEqual(4);
      const differences = directoryDifferences(await host.directory(), await faultFreeDirectory(suite.emulator, tenant, scope));
      scenario.compared(differences);
      expect(differences).toEqual([]);
    } finally {
      await host.close();
      await suite.emulator.control.deleteTenant(tenant.tenantId);
    }
  });
}

describe('syncs under Graph faults', () => {
  for (const [index, [scope, store]] of cases.entries()) {
    if (store === 'postgres') describePostgres(`on PostgreSQL, scope ${scope}`, () => syncsUnderGraphFaults(scope, store, 1100 + index));
    else syncsUnderGraphFaults(scope, store, 1100 + index);
  }
});
