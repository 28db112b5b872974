import { generateTenant, tenantShape } from '@users-sync/emulator/generator/tenant-generator';
import type { RunningEmulator } from '@users-sync/emulator/index';
import { allPages, seedTenant, startTestEmulator } from './emulator-harness';

describe('scale', () => {
  // How fast it generates is a benchmark's question (emulator/scripts/measure-scale.mjs), not a test's.
  it('generates a 100,000-user tenant, compactly', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const { tenant } = generateTenant(tenantShape.parse({ users: 100_000, groups: 200, seed: 9 }), () => false);
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    expect(tenant.activeUserCount).toBe(100_000);
    // Generous bound (jest's heap is noisy); emulator/scripts/measure-scale.mjs measures the real process.
    expect(heapMb).toBeLessThan(400);
  });

  it('is deterministic: the same seed makes the same tenant', () => {
    const a = generateTenant(tenantShape.parse({ users: 500, groups: 10, seed: 77 }), () => false).tenant;
    const b = generateTenant(tenantShape.parse({ users: 500, groups: 10, seed: 77 }), () => false).tenant;
    expect(a.id).toBe(b.id);
    expect(a.users.map((u) => `${u.id}|${u.userPrincipalName}|${u.managerId}|${u.accountEnabled}`)).toEqual(b.users.map((u) => `${u.id}|${u.userPrincipalName}|${u.managerId}|${u.accountEnabled}`));
    expect(a.groups.map((g) => [...g.members].join())).toEqual(b.groups.map((g) => [...g.members].join()));
  });

  describe('serving 20,000 users', () => {
    let emulator: RunningEmulator;
    afterAll(() => emulator.close());
    it('lists every user with $top=999 in about 21 pages', async () => {
      emulator = await startTestEmulator();
      const tenant = await seedTenant(emulator, { users: 20_000, groups: 20, seed: 10 });
      const { items, pages } = await allPages(emulator, tenant.token, '/users?$top=999&$select=id,mail,accountEnabled');
      expect(items).toHaveLength(20_000);
      expect(pages).toHaveLength(21);
    });
  });
});
