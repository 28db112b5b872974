import { presenceAnswerSchema, type PresenceAnswer } from '@users-sync/api/contract/index';
import { ApiHarness } from './api-harness';

type Run = { id: string; status: string };

describe('"Someone missing?" through the api, against the emulated tenant', () => {
  let api: ApiHarness;
  let token: string;
  let domain: string;
  let firstRun: Run;
  const ids: Record<string, string> = {};
  const why = async (query: string): Promise<PresenceAnswer> => {
    const answer = await api.call('GET', `/api/directory/why?query=${encodeURIComponent(query)}`, { token });
    expect(answer.status).toBe(200);
    return presenceAnswerSchema.parse(answer.body);
  };

  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 6, groups: 0, seed: 41, disabledShare: 0, guestShare: 0, noMailboxShare: 0 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
    domain = api.adminUpn.split('@')[1]!;
    const { control } = api.emulator;
    const tenantId = api.tenant.tenantId;
    const person = async (key: string, displayName: string, extra: Record<string, unknown> = {}) => {
      const created = await control.createUser(tenantId, { displayName, userPrincipalName: `${key}@${domain}`, mail: `${key}@${domain}`, ...extra });
      ids[key] = created.id;
      return created.id;
    };
    const nina = await person('nina', 'Nina Nested');
    const dora = await person('dora', 'Dora Disabled', { accountEnabled: false });
    const gita = await person('gita', 'Gita Guest', { userType: 'Guest', userPrincipalName: `gita_fabrikam.com#EXT#@${domain}`, mail: 'gita@fabrikam.com' });
    const pat = await person('pat', 'Pat Excluded');
    const olaf = await person('olaf', 'Olaf Outside');
    await person('sam.one', 'Sam One');
    await person('sam.two', 'Sam Two');
    const team = await control.createGroup(tenantId, { displayName: 'Team', memberIds: [nina] });
    ids.team = team.id;
    const arsen = await control.createGroup(tenantId, { displayName: 'arsen', memberIds: [team.id, dora, gita, pat] });
    ids.arsen = arsen.id;
    const sales = await control.createGroup(tenantId, { displayName: 'Sales', memberIds: [olaf] });
    ids.sales = sales.id;
  });
  afterAll(() => api.stop());

  it('asks to connect first, and a signed-in member only', async () => {
    expect((await api.call('GET', '/api/directory/why?query=nina')).status).toBe(401);
    const notConnected = await api.call<{ code: string }>('GET', '/api/directory/why?query=nina', { token });
    expect(notConnected.status).toBe(409);
    expect(notConnected.body.code).toBe('MICROSOFT_NOT_CONNECTED');

    await api.consent(token, api.adminUpn);
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'group_name', groupName: 'arsen' }, exclusions: [`pat@${domain}`] } });
    firstRun = await api.settledRun<Run>(token, saved.body.run.id);
    expect(firstRun.status).toBe('succeeded');
    expect((await api.call<{ code: string }>('GET', '/api/directory/why?query=', { token })).status).toBe(400);
  });

  it('finds a synced person through a nested group, with their record and the run that created it', async () => {
    const answer = await why(`NINA@${domain}`);
    expect(answer).toMatchObject({
      verdict: 'synced',
      person: { entraObjectId: ids.nina, email: `nina@${domain}`, accountEnabled: true },
      scope: { kind: 'group_name', description: 'members of the group "arsen" (nested groups included)' },
      groups: [{ id: ids.arsen, displayName: 'arsen' }],
      employee: { status: 'active', lastChange: { runId: firstRun.id, action: 'created' } },
    });
    expect(answer.message).toContain('The last change a sync made: created');
  });

  it('says who is outside the scope and which groups they are in', async () => {
    const answer = await why('Olaf Outside');
    expect(answer).toMatchObject({ verdict: 'outside_scope', person: { entraObjectId: ids.olaf }, groups: [{ id: ids.sales, displayName: 'Sales' }], employee: null });
    expect(answer.message).toContain('"Sales"');
  });

  it('explains a disabled account, a guest and an exclusion', async () => {
    expect((await why(`dora@${domain}`)).verdict).toBe('disabled');
    expect((await why('gita@fabrikam.com')).verdict).toBe('guest_excluded');
    expect(await why(`pat@${domain}`)).toMatchObject({ verdict: 'excluded', exclusion: `pat@${domain}` });
  });

  it('lists the people a name could mean, and says when nobody matches', async () => {
    const several = await why('Sam');
    expect(several.verdict).toBe('several_matches');
    expect(several.matches.map((m) => m.email).sort()).toEqual([`sam.one@${domain}`, `sam.two@${domain}`]);
    expect(several.person).toBeNull();
    expect((await why(`nobody@${domain}`)).verdict).toBe('not_found');
  });

  it('tells a person added to the scope since the last sync that the next sync brings them in', async () => {
    await api.emulator.control.addMembers(api.tenant.tenantId, ids.team!, [ids.olaf!]);
    const answer = await why(`olaf@${domain}`);
    expect(answer).toMatchObject({ verdict: 'not_synced_yet', groups: [{ id: ids.arsen }] });
  });
});
