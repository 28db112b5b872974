import { ApiHarness } from './api-harness';

describe('live progress when the api stops', () => {
  it('ends open event streams so the api can stop, instead of waiting for the run', async () => {
    const api = await ApiHarness.start({ tenant: { users: 5, groups: 1, seed: 41 } });
    const token = await api.tokenFor(api.adminUpn);
    const me = await api.call<{ organization: { id: string } }>('GET', '/api/me', { token });
    // A run someone is watching, that will not finish on its own.
    const { store } = api.app.services;
    const { run } = await store.activeRuns.createUnlessActive({ organizationId: me.body.organization.id, trigger: 'manual', mode: 'full', dryRun: false });
    await store.runs.update(run.id, { status: 'running' });

    const stream = fetch(`${api.baseUrl}/api/sync/runs/${run.id}/events`, { headers: { authorization: `Bearer ${token}` } }).then((res) => res.text());
    await new Promise((r) => setTimeout(r, 400));
    api.app.beginShutdown();
    const text = await stream;
    expect(text).toContain('event: progress');
    expect(text).not.toContain('event: finished');
    await api.stop();
  });
});
