import { ApiHarness } from './api-harness';

type Run = { id: string; status: string; mode: string; dryRun: boolean; unsavedSettings: boolean; counts: { created: number; deactivated: number; unchanged: number } };
type Problem = { code: string; fields?: Record<string, string> };
type Configuration = { scope: { kind: string; groupIds?: string[] }; includeGuests: boolean; exclusions: string[]; schedule: { intervalMinutes: number } | null; deletionGuard: { enabled: boolean; maxShare: number; minCount: number } };

/** "Preview changes" before "Save changes and sync users": a dry run on the settings in the form. */
describe('a preview of settings not saved yet', () => {
  let api: ApiHarness;
  let token: string;
  let saved: Configuration;
  let pilot: { id: string };

  beforeAll(async () => {
    api = await ApiHarness.start({ changeNotifications: false, tenant: { users: 30, groups: 3, seed: 41, disabledShare: 0, guestShare: 0, noMailboxShare: 0 } });
    token = await api.tokenFor(api.adminUpn);
    await api.call('GET', '/api/me', { token });
    await api.consent(token, api.adminUpn);
    const first = await api.call<{ configuration: Configuration; run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' }, deletionGuard: { enabled: false } } });
    saved = first.body.configuration;
    expect((await api.settledRun<Run>(token, first.body.run.id)).status).toBe('succeeded');
    pilot = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Pilot' });
    await api.emulator.control.addMembers(api.tenant.tenantId, pilot.id, [api.adminUpn]);
  });
  afterAll(() => api.stop());

  it('says what the proposed scope would change, reading Entra in full, and changes and saves nothing', async () => {
    const activeBefore = (await api.call<{ total: number }>('GET', '/api/employees?status=active&limit=1', { token })).body.total;
    const started = await api.call<Run>('POST', '/api/sync/runs', { token, body: { dryRun: true, configuration: { ...saved, scope: { kind: 'groups', groupIds: [pilot.id] } } } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ dryRun: true, unsavedSettings: true, mode: 'full' });
    const preview = await api.settledRun<Run>(token, started.body.id);
    expect(preview).toMatchObject({ status: 'succeeded', unsavedSettings: true });
    // Everyone but the pilot group's one member would leave the directory.
    expect(preview.counts).toMatchObject({ created: 0, unchanged: 1, deactivated: activeBefore - 1 });

    expect((await api.call<{ total: number }>('GET', '/api/employees?status=active&limit=1', { token })).body.total).toBe(activeBefore);
    expect((await api.call<Configuration>('GET', '/api/sync/configuration', { token })).body.scope).toEqual({ kind: 'all' });
  });

  it('previews the saved settings when none are sent', async () => {
    const started = await api.call<Run>('POST', '/api/sync/runs', { token, body: { dryRun: true } });
    const preview = await api.settledRun<Run>(token, started.body.id);
    expect(preview).toMatchObject({ status: 'succeeded', unsavedSettings: false });
    expect(preview.counts.deactivated).toBe(0);
  });

  it('refuses unsaved settings for a real sync, naming the field, and starts nothing', async () => {
    const before = (await api.call<{ runs: Run[] }>('GET', '/api/sync/runs', { token })).body.runs.length;
    const refused = await api.call<Problem>('POST', '/api/sync/runs', { token, body: { dryRun: false, configuration: saved } });
    expect(refused.status).toBe(422);
    expect(refused.body.fields?.configuration).toMatch(/Only a preview/);
    expect((await api.call<{ runs: Run[] }>('GET', '/api/sync/runs', { token })).body.runs.length).toBe(before);
  });
});
