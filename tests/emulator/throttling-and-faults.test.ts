import { tenantBudget } from '@users-sync/emulator/throttling/graph-throttle';
import type { RunningEmulator } from '@users-sync/emulator/index';
import { graph, seedTenant, startTestEmulator, type SeededTenant } from './emulator-harness';

type GraphErrorBody = { error: { code: string; message: string; innerError: Record<string, string> } };

describe('throttling, faults and counters', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 120, groups: 4, seed: 505 });
  });
  afterAll(() => emulator.close());
  afterEach(async () => {
    await emulator.control.clearFaults(tenant.tenantId);
    await emulator.control.setThrottling(tenant.tenantId, { enabled: true, resourceUnitsPer10Seconds: null });
  });

  it('sizes the per app+tenant bucket by tenant size (S 3,500 / M 5,000 / L 8,000 RU per 10 s)', () => {
    expect(tenantBudget(49)).toBe(3500);
    expect(tenantBudget(50)).toBe(5000);
    expect(tenantBudget(500)).toBe(5000);
    expect(tenantBudget(501)).toBe(8000);
  });

  it('answers 429 TooManyRequests with a fractional Retry-After and the x-ms-throttle headers once the bucket is empty', async () => {
    await emulator.control.setThrottling(tenant.tenantId, { resourceUnitsPer10Seconds: 7 });
    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof graph<GraphErrorBody>>> | undefined;
    for (let i = 0; i < 5; i++) {
      const answer = await graph<GraphErrorBody>(emulator, tenant.token, '/users'); // 2 RU each
      statuses.push(answer.status);
      if (answer.status === 429) throttled ??= answer;
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(throttled).toBeDefined();
    const retryAfter = throttled!.headers.get('retry-after')!;
    expect(retryAfter).toMatch(/^\d+(\.\d{1,3})?$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThan(3);
    expect(throttled!.headers.get('x-ms-throttle-scope')).toBe(`Tenant_Application/ReadWrite/${tenant.app.clientId}/${tenant.tenantId}`);
    expect(throttled!.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    expect(throttled!.headers.get('x-ms-resource-unit')).toBe('2');
    expect(throttled!.body.error).toMatchObject({ code: 'TooManyRequests', message: 'Please retry again later.' });
    expect(throttled!.body.error.innerError['request-id']).toBeTruthy();
  });

  it('throttles $batch items one by one, each 429 with its own Retry-After', async () => {
    await emulator.control.setThrottling(tenant.tenantId, { resourceUnitsPer10Seconds: 5 });
    const requests = Array.from({ length: 6 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/users' }));
    const answer = await graph<{ responses: Array<{ id: string; status: number; headers: Record<string, string> }> }>(emulator, tenant.token, '/$batch', { method: 'POST', body: { requests } });
    expect(answer.status).toBe(200);
    const statuses = answer.body.responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    for (const r of answer.body.responses.filter((r) => r.status === 429)) expect(Number(r.headers['Retry-After'])).toBeGreaterThan(0);
  });

  it('injects forced 503s with Retry-After, latency, and dropped connections', async () => {
    await emulator.control.setFaults(tenant.tenantId, { unavailableShare: 1, retryAfterSeconds: 1.5 });
    const unavailable = await graph<GraphErrorBody>(emulator, tenant.token, '/organization');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('1.5');

    await emulator.control.setFaults(tenant.tenantId, { latencyMs: 300 });
    const started = Date.now();
    expect((await graph(emulator, tenant.token, '/organization')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await emulator.control.setFaults(tenant.tenantId, { failNext: { count: 1, status: 'drop' } });
    await expect(graph(emulator, tenant.token, '/organization')).rejects.toThrow();
    expect((await graph(emulator, tenant.token, '/organization')).status).toBe(200);
  });

  it('holds a share of requests for a latency spike', async () => {
    await emulator.control.setFaults(tenant.tenantId, { spikeShare: 1, spikeMs: 300 });
    const started = Date.now();
    expect((await graph(emulator, tenant.token, '/organization')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(await emulator.control.setFaults(tenant.tenantId, { spikeShare: 0, spikeMs: 300 })).toMatchObject({ spikeShare: 0, spikeMs: 300 });
  });

  it('spoils the next pages as asked, after the pages it skips: an item without id, an id of the wrong type, JSON cut short', async () => {
    type UsersPage = { value: Array<{ id?: unknown }> };
    await emulator.control.setFaults(tenant.tenantId, { malformNext: { count: 1, kind: 'missing-id', skip: 1 } });
    // A single object is no page: it is neither spoiled nor counted.
    expect((await graph(emulator, tenant.token, `/users/${tenant.admin!.id}`)).status).toBe(200);
    const skipped = await graph<UsersPage>(emulator, tenant.token, '/users?$top=5');
    expect(skipped.body.value.every((u) => typeof u.id === 'string')).toBe(true);
    const missing = await graph<UsersPage>(emulator, tenant.token, '/users?$top=5');
    expect(missing.status).toBe(200);
    expect(missing.body.value.filter((u) => u.id === undefined)).toHaveLength(1);
    expect((await graph<UsersPage>(emulator, tenant.token, '/users?$top=5')).body.value.every((u) => typeof u.id === 'string')).toBe(true);

    await emulator.control.setFaults(tenant.tenantId, { malformNext: { count: 1, kind: 'wrong-type' } });
    const wrong = await graph<UsersPage>(emulator, tenant.token, '/users/delta?$select=displayName');
    expect(wrong.body.value.filter((u) => typeof u.id === 'number')).toHaveLength(1);

    await emulator.control.setFaults(tenant.tenantId, { malformNext: { count: 1, kind: 'truncated' } });
    const cut = await fetch(`${emulator.url}/v1.0/users?$top=5`, { headers: { authorization: `Bearer ${tenant.token}` } });
    expect(cut.status).toBe(200);
    expect(cut.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await cut.text();
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    expect((await emulator.control.setFaults(tenant.tenantId, {})).malformNext).toBeNull();
  });

  it('a share of forced 429s is about that share', async () => {
    await emulator.control.setFaults(tenant.tenantId, { throttleShare: 0.5, retryAfterSeconds: 0.1 });
    const statuses = await Promise.all(Array.from({ length: 60 }, () => graph(emulator, tenant.token, '/organization').then((a) => a.status)));
    const share = statuses.filter((s) => s === 429).length / statuses.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.75);
  });

  it('counts requests by route, resource units and 429s, keeps a request log, and resets', async () => {
    await emulator.control.resetCounters(tenant.tenantId);
    await graph(emulator, tenant.token, '/users?$top=999');
    await graph(emulator, tenant.token, '/users?$select=id');
    await graph(emulator, tenant.token, '/groups');
    await emulator.control.setFaults(tenant.tenantId, { failNext: { count: 1, status: 429 } });
    await graph(emulator, tenant.token, '/groups');
    const counters = await emulator.control.counters(tenant.tenantId);
    expect(counters.requests).toBe(4);
    expect(counters.requestsByRoute).toEqual({ 'GET /v1.0/users': 2, 'GET /v1.0/groups': 2 });
    expect(counters.resourceUnits).toBe(2 + 1 + 1);
    expect(counters.throttled).toBe(1);
    const log = await emulator.control.requests(tenant.tenantId);
    expect(log.map((e) => e.status)).toEqual([200, 200, 200, 429]);
    expect(log[0]).toMatchObject({ method: 'GET', route: 'GET /v1.0/users', tenantId: tenant.tenantId, appId: tenant.app.clientId, resourceUnits: 2 });
    await emulator.control.resetCounters(tenant.tenantId);
    expect((await emulator.control.counters(tenant.tenantId)).requests).toBe(0);
  });
});
