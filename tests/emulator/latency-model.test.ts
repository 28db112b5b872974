import { DEFAULT_LATENCY, LatencyModel, objectsIn } from '@users-sync/emulator/cost/latency-model';
import type { RunningEmulator } from '@users-sync/emulator/index';
import { graph, seedTenant, startTestEmulator, type SeededTenant } from './emulator-harness';

describe('the latency cost model (an assumption: Microsoft publishes no latency figures)', () => {
  it('takes a base per answer plus a cost per object, within its jitter', () => {
    const model = new LatencyModel({ enabled: true, baseMs: 60, perObjectMs: 0.8, jitterShare: 0.2 }, () => 0.5);
    expect(model.delayFor(1)).toBeCloseTo(60.8);
    expect(model.delayFor(999)).toBeCloseTo(859.2);
    const low = new LatencyModel({ enabled: true, jitterShare: 0.2 }, () => 0);
    const high = new LatencyModel({ enabled: true, jitterShare: 0.2 }, () => 1);
    expect(low.delayFor(100)).toBeCloseTo(140 * 0.8);
    expect(high.delayFor(100)).toBeCloseTo(140 * 1.2);
    expect(new LatencyModel({ enabled: false }).delayFor(999)).toBe(0);
    expect(DEFAULT_LATENCY).toEqual({ enabled: true, baseMs: 60, perObjectMs: 0.8, jitterShare: 0.2 });
  });

  it('counts the objects of a page, and one for anything else', () => {
    expect(objectsIn({ value: [1, 2, 3] })).toBe(3);
    expect(objectsIn({ id: 'x' })).toBe(1);
    expect(objectsIn(undefined)).toBe(1);
  });

  describe('on the wire', () => {
    let emulator: RunningEmulator;
    let tenant: SeededTenant;
    beforeAll(async () => {
      emulator = await startTestEmulator();
      tenant = await seedTenant(emulator, { users: 300, groups: 2, seed: 61 });
    });
    afterAll(async () => {
      await emulator.control.setLatency({ enabled: false });
      await emulator.close();
    });

    it('answers a page of 300 users later than a page of one (lower bounds only)', async () => {
      await emulator.control.setLatency({ enabled: true, baseMs: 30, perObjectMs: 1, jitterShare: 0 });
      await emulator.control.resetCounters(tenant.tenantId);
      expect((await graph(emulator, tenant.token, '/users?$top=1&$select=id')).status).toBe(200);
      expect((await graph(emulator, tenant.token, '/users?$top=300&$select=id')).status).toBe(200);
      const [small, large] = (await emulator.control.requests(tenant.tenantId)).sort((a, b) => a.at.localeCompare(b.at));
      expect(small!.durationMs).toBeGreaterThanOrEqual(30);
      expect(large!.durationMs).toBeGreaterThanOrEqual(330);
    });
  });
});
