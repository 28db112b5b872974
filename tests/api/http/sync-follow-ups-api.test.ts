import { ApiHarness, eventually } from './api-harness';

type Run = { id: string; status: string; trigger: string; queuedAt: string; error: { code: string; message: string } | null };
type Problem = { code: string; detail: string };


/** What the api does when the world changes while a sync runs: a new configuration, a withdrawn consent. */
describe('syncs that follow changes made while a sync runs', () => {
  let api: ApiHarness;
  let token: string;
  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 30, groups: 2, seed: 41, disabledShare: 0, guestShare: 0.2, noMailboxShare: 0 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
    await api.consent(token, api.adminUpn);
  });
  afterAll(() => api.stop());

  const runs = async () => (await api.call<{ runs: Run[] }>('GET', '/api/sync/runs?limit=50', { token })).body.runs;
  const settled = (runId: string) => api.settledRun<Run>(token, runId);
  const activeEmployees = async () => (await api.call<{ total: number }>('GET', '/api/employees?status=active', { token })).body.total;

  it('"Save changes and sync users" during a sync answers that sync, then syncs the new configuration once it ends', async () => {
    const first = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, includeGuests: false } });
    await settled(first.body.run.id);
    const withoutGuests = await activeEmployees();

    await api.emulator.control.setFaults(api.tenant.tenantId, { latencyMs: 400 });
    let running: Run;
    try {
      const slow = await api.call<Run>('POST', '/api/sync/runs', { token, body: { full: true } });
      running = await eventually(async () => {
        const run = (await api.call<Run>('GET', `/api/sync/runs/${slow.body.id}`, { token })).body;
        return run.status === 'running' ? run : undefined;
      }, 'the slow run is running');
      const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, includeGuests: true } });
      expect(saved.status).toBe(200);
      expect(saved.body.run.id).toBe(running.id);
    } finally {
      await api.emulator.control.clearFaults(api.tenant.tenantId);
    }
    expect((await settled(running.id)).status).toBe('succeeded');

    const followUp = await eventually(async () => (await runs()).find((r) => r.trigger === 'scope_change' && r.queuedAt > running.queuedAt), 'a sync with the new configuration');
    expect((await settled(followUp.id)).status).toBe('succeeded');
    expect(await activeEmployees()).toBeGreaterThan(withoutGuests);
  });

  it('records a consent revoked in the tenant: the connection says so and no more syncs start', async () => {
    expect((await api.call<{ status: string }>('GET', '/api/microsoft/connection', { token })).body.status).toBe('connected');
    await api.emulator.control.revokeConsent(api.tenant.tenantId, api.usersSync.clientId);
    // Graph honours the token the api already holds until it expires; move time past it.
    await api.emulator.control.advanceClock(api.tenant.tenantId, 2 * 3600);

    const run = await api.call<Run>('POST', '/api/sync/runs', { token, body: {} });
    expect(run.status).toBe(202);
    const failed = await settled(run.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('connect Microsoft 365 again');

    expect((await api.call<{ status: string }>('GET', '/api/microsoft/connection', { token })).body.status).toBe('consent_revoked');
    const refused = await api.call<Problem>('POST', '/api/sync/runs', { token, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('MICROSOFT_CONSENT_REVOKED');
  });

  it('keeps one run waiting for approval however often the configuration is saved meanwhile', async () => {
    await api.consent(token, api.adminUpn);
    const all = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, includeGuests: false } });
    await settled(all.body.run.id);
    // A pilot group of one: syncing it would deactivate nearly everyone, so the deletion guard holds each such run.
    const pilot = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Held pilot' });
    await api.emulator.control.addMembers(api.tenant.tenantId, pilot.id, [api.adminUpn]);
    const body = { scope: { kind: 'groups', groupIds: [pilot.id] }, includeGuests: false };
    const held = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body });
    expect((await settled(held.body.run.id)).status).toBe('awaiting_approval');

    const saves = await Promise.all([1, 2, 3].map(() => api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body })));
    for (const save of saves) if (save.body.run) await settled(save.body.run.id);
    await eventually(async () => ((await runs()).some((r) => r.status === 'queued' || r.status === 'running') ? undefined : true), 'every sync settles');
    const waiting = (await runs()).filter((r) => r.status === 'awaiting_approval');
    expect(waiting).toHaveLength(1);
    const superseded = (await runs()).filter((r) => r.error?.code === 'SUPERSEDED');
    expect(superseded.length).toBeGreaterThanOrEqual(1);
    expect((await api.call<Run>('POST', `/api/sync/runs/${waiting[0]!.id}/reject`, { token })).body.status).toBe('rejected');
  });
});
