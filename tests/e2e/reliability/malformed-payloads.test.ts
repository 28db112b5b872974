import { changedEmployees, directoryDifferences, halfApplied } from './support/directory-comparison';
import { churn } from './support/entra-churn';
import { companyTenant, reliabilityFile } from './support/reliability-emulator';
import { faultFreeDirectory, SyncHost } from './support/sync-host';
import { suiteSize } from './support/suite-size';

/**
 * Graph answers a sync cannot read: an item without its id, an id of the wrong type, JSON
 * cut in the middle. The run must fail with a clear error, leave nothing half-applied
 * (whatever it wrote is whole, nobody is deactivated, the delta links stay where they
 * were), and the next run must bring the directory to what a fault-free run gives.
 */
const suite = reliabilityFile('malformed-payloads');
const { report } = suite;

const kinds = ['missing-id', 'wrong-type', 'truncated'] as const;

describe.each(kinds)('a Graph page with %s', (kind) => {
  const seed = 3000 + kinds.indexOf(kind);

  it('fails a full sync clearly in the middle of the listing, half-applies nothing, and the next run repairs everything', async () => {
    const scenario = report.scenario(`${kind} on the third page of a full listing`);
    const tenant = await companyTenant(suite.emulator, seed);
    const host = await SyncHost.open(suite.emulator, tenant, { scope: 'all' });
    try {
      scenario.run('first full sync', await host.sync());
      await churn(suite.emulator.control, tenant.tenantId, suiteSize.churn, seed);
      const before = await host.directory();
      await suite.emulator.control.setFaults(tenant.tenantId, { malformNext: { count: 1, kind, skip: 2 } });
      scenario.fault(`${kind} page`);
      const failed = await host.sync({ full: true });
      scenario.run('full sync', failed);
      expect(failed).toMatchObject({ status: 'failed', counts: { deactivated: 0 } });
      expect(failed.error?.code).toBe('UnexpectedGraphResponse');
      // One readable sentence on what Graph sent, then what the failure did.
      expect(failed.error?.message).toMatch(/^Microsoft Graph.* (we cannot read|could not be read) .*[.;] .*Nobody was deactivated\.$/);
      await suite.emulator.control.clearFaults(tenant.tenantId);
      const reference = await faultFreeDirectory(suite.emulator, tenant, 'all');
      const problems = halfApplied(before, await host.directory(), reference);
      expect(problems).toEqual([]);

      const next = await host.sync();
      scenario.run('next sync', next);
      expect(next.status).toBe('succeeded');
      const differences = directoryDifferences(await host.directory(), reference);
      scenario.compared([...problems, ...differences]);
      expect(differences).toEqual([]);
    } finally {
      await host.close();
      await suite.emulator.control.deleteTenant(tenant.tenantId);
    }
  });

  it('fails an incremental sync clearly, changes nobody, and the next run applies the changes it could not read', async () => {
    const scenario = report.scenario(`${kind} on a users delta page`);
    const tenant = await companyTenant(suite.emulator, seed + 10);
    const host = await SyncHost.open(suite.emulator, tenant, { scope: 'all' });
    try {
      scenario.run('full sync', await host.sync());
      await churn(suite.emulator.control, tenant.tenantId, suiteSize.churn, seed + 10);
      const before = await host.directory();
      await suite.emulator.control.setFaults(tenant.tenantId, { malformNext: { count: 1, kind } });
      scenario.fault(`${kind} page`);
      const failed = await host.sync();
      scenario.run('incremental sync', failed);
      expect(failed).toMatchObject({ status: 'failed', mode: 'incremental', counts: { deactivated: 0 } });
      expect(failed.error?.code).toBe('UnexpectedGraphResponse');
      expect(failed.error?.message).toMatch(/^Microsoft Graph.* (we cannot read|could not be read) .*Nobody was deactivated\.$/);
      const changed = changedEmployees(before, await host.directory());
      expect(changed).toEqual([]);

      await suite.emulator.control.clearFaults(tenant.tenantId);
      const next = await host.sync();
      scenario.run('next sync', next);
      expect(next).toMatchObject({ status: 'succeeded', mode: 'incremental' });
      const differences = directoryDifferences(await host.directory(), await faultFreeDirectory(suite.emulator, tenant, 'all'));
      scenario.compared([...changed, ...differences]);
      expect(differences).toEqual([]);
    } finally {
      await host.close();
      await suite.emulator.control.deleteTenant(tenant.tenantId);
    }
  });
});
