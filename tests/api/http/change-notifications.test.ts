import { ApiHarness, eventually } from './api-harness';

type Run = { id: string; status: string; trigger: string };
type Employee = { id: string; email: string; department: string | null };


describe('continuous updates through Graph change notifications', () => {
  let api: ApiHarness;
  let token: string;
  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 25, groups: 3, seed: 31, disabledShare: 0, guestShare: 0, noMailboxShare: 0 } });
    token = await api.tokenFor(api.adminUpn);
    await api.consent(token, api.adminUpn);
  });
  afterAll(() => api.stop());

  const runs = async () => (await api.call<{ runs: Run[] }>('GET', '/api/sync/runs?limit=50', { token })).body.runs;
  const settled = (runId: string) => api.settledRun<Run>(token, runId);

  it('subscribes to user changes once Microsoft 365 is connected, after Graph’s validation handshake', async () => {
    const subscriptions = await api.emulator.control.subscriptions(api.tenant.tenantId);
    expect(subscriptions.map((s) => s.resource)).toEqual(['users']);
    expect(subscriptions[0]).toMatchObject({ notificationUrl: `${api.baseUrl}/api/graph/notifications`, changeType: 'updated,deleted' });
  });

  it('also listens to group changes when the scope is made of groups', async () => {
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'group_name', groupName: 'arsen' } } });
    await settled(saved.body.run.id);
    expect((await api.emulator.control.subscriptions(api.tenant.tenantId)).map((s) => s.resource).sort()).toEqual(['groups', 'users']);
    const back = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' } } });
    await settled(back.body.run.id);
    expect((await api.emulator.control.subscriptions(api.tenant.tenantId)).map((s) => s.resource)).toEqual(['users']);
  });

  it('brings a change made in Entra into the directory by itself, through one notification-triggered sync', async () => {
    const employees = (await api.call<{ employees: Employee[] }>('GET', '/api/employees?limit=200', { token })).body.employees;
    const someone = employees.find((e) => e.email !== api.adminUpn)!;
    const before = (await runs()).length;

    await api.emulator.control.updateUser(api.tenant.tenantId, someone.email, { department: 'Notified Department' });

    const run = await eventually(async () => (await runs()).find((r) => r.trigger === 'webhook'), 'a webhook-triggered run');
    expect((await settled(run.id)).status).toBe('succeeded');
    const updated = await api.call<{ employee: Employee }>('GET', `/api/employees/${someone.id}`, { token });
    expect(updated.body.employee.department).toBe('Notified Department');
    expect((await runs()).length).toBe(before + 1);
  });

  it('ignores a notification that does not carry its subscription’s clientState', async () => {
    const [subscription] = await api.emulator.control.subscriptions(api.tenant.tenantId);
    const before = (await runs()).length;
    const forged = await fetch(`${api.baseUrl}/api/graph/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [{ subscriptionId: subscription!.id, clientState: 'guessed', changeType: 'updated', resource: 'Users/x' }] }),
    });
    expect(forged.status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect((await runs()).length).toBe(before);
  });

  it('answers Graph’s validation handshake with the token as plain text', async () => {
    const res = await fetch(`${api.baseUrl}/api/graph/notifications?validationToken=${encodeURIComponent('Validation: Testing client application reachability')}`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('Validation: Testing client application reachability');
  });

  it('reauthorizes a subscription when Graph asks', async () => {
    const [subscription] = await api.emulator.control.subscriptions(api.tenant.tenantId);
    await api.emulator.control.sendLifecycleEvent(api.tenant.tenantId, subscription!.id, 'reauthorizationRequired');
    await eventually(async () => {
      const log = await api.emulator.control.requests(api.tenant.tenantId, 50);
      return log.find((r) => r.method === 'POST' && r.path.endsWith(`/subscriptions/${subscription!.id}/reauthorize`) && r.status === 200);
    }, 'a reauthorize call');
  });

  it('leaves a sync waiting for approval alone: notifications do not replace it', async () => {
    const group = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Notification pilot' });
    await api.emulator.control.addMembers(api.tenant.tenantId, group.id, [api.adminUpn]);
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'groups', groupIds: [group.id] } } });
    expect((await settled(saved.body.run.id)).status).toBe('awaiting_approval');
    const before = (await runs()).length;

    const delivered = async () => {
      const subscriptions = await api.emulator.control.subscriptions(api.tenant.tenantId);
      return (await Promise.all(subscriptions.map((s) => api.emulator.control.deliveries(api.tenant.tenantId, s.id)))).flat().length;
    };
    const deliveredBefore = await delivered();
    const employees = (await api.call<{ employees: Employee[] }>('GET', '/api/employees?limit=200', { token })).body.employees;
    await api.emulator.control.updateUser(api.tenant.tenantId, employees.find((e) => e.email !== api.adminUpn)!.email, { department: 'Changed While Held' });
    await eventually(async () => ((await delivered()) > deliveredBefore ? true : undefined), 'a notification delivered');
    await new Promise((r) => setTimeout(r, 600));

    expect((await runs()).length).toBe(before);
    expect((await api.call<Run>('GET', `/api/sync/runs/${saved.body.run.id}`, { token })).body.status).toBe('awaiting_approval');
    expect((await api.call<Run>('POST', `/api/sync/runs/${saved.body.run.id}/reject`, { token })).body.status).toBe('rejected');
  });
});
