import { routes, type Problem } from '@users-sync/api/contract/index';
import { ApiHarness } from './api-harness';

const secret = 'api-and-bot-share-this-secret';

describe('the bot’s routes on the api', () => {
  let api: ApiHarness;
  let ownerToken: string;
  const bot = (extra: Record<string, string> = {}) => ({ 'x-notify-secret': secret, ...extra });
  const forPerson = (userObjectId: string, tenantId = api.tenant.tenantId) => bot({ 'x-bot-tenant-id': tenantId, 'x-bot-user-object-id': userObjectId });

  beforeAll(async () => {
    api = await ApiHarness.start({ notifySecret: secret, changeNotifications: false });
    ownerToken = await api.tokenFor(api.adminUpn);
    // The owner signs in to the tab once: the organization exists from then on.
    expect((await api.call('GET', '/api/me', { token: ownerToken })).status).toBe(200);
  });
  afterAll(() => api.stop());

  const reference = (user: string) => ({ conversation: { id: `a:${user}` }, serviceUrl: 'https://smba.trafficmanager.net/emea/', user: { id: `29:${user}`, aadObjectId: user } });

  it('keeps the conversation reference of each installation and hands the admins’ personal chats back for reports', async () => {
    const admin = api.tenant.admin!.id;
    for (const [scope, targetId] of [['personal', admin], ['personal', 'someone-else'], ['team', '19:team@thread.tacv2']] as const) {
      const saved = await api.call('PUT', '/api/bot/conversations', { headers: bot(), body: { tenantId: api.tenant.tenantId.toUpperCase(), scope, targetId, reference: reference(targetId) } });
      expect(saved.status).toBe(204);
    }
    const me = await api.call<{ organization: { id: string } }>('GET', '/api/me', { token: ownerToken });
    const listed = await api.call<{ conversations: Array<{ targetId: string; role: string; reference: unknown }> }>('GET', `/api/bot/organizations/${me.body.organization.id}/admin-conversations`, { headers: bot() });
    expect(listed.status).toBe(200);
    // Someone who is not an admin, and the team, get no sync reports.
    expect(listed.body.conversations.map((c) => [c.targetId, c.role])).toEqual([[admin, 'owner']]);
    expect(listed.body.conversations[0]!.reference).toEqual(reference(admin));

    expect((await api.call('DELETE', `/api/bot/conversations/${api.tenant.tenantId}/personal/${admin}`, { headers: bot() })).status).toBe(204);
    const after = await api.call<{ conversations: unknown[] }>('GET', `/api/bot/organizations/${me.body.organization.id}/admin-conversations`, { headers: bot() });
    expect(after.body.conversations).toEqual([]);
    // Teams may announce an uninstall twice.
    expect((await api.call('DELETE', `/api/bot/conversations/${api.tenant.tenantId}/personal/${admin}`, { headers: bot() })).status).toBe(204);
  });

  it('tells the bot how to reach a person: their personal chat, else their tenant’s Bot Connector address', async () => {
    await api.call('PUT', '/api/bot/conversations', { headers: bot(), body: { tenantId: api.tenant.tenantId, scope: 'personal', targetId: 'reachable', reference: reference('reachable') } });
    const known = await api.call<{ reference: unknown; serviceUrl: string | null }>('GET', `/api/bot/tenants/${api.tenant.tenantId}/people/reachable/reach`, { headers: bot() });
    expect(known.body).toEqual({ reference: reference('reachable'), serviceUrl: 'https://smba.trafficmanager.net/emea/' });
    const newcomer = await api.call('GET', `/api/bot/tenants/${api.tenant.tenantId}/people/never-talked/reach`, { headers: bot() });
    expect(newcomer.body).toEqual({ reference: null, serviceUrl: 'https://smba.trafficmanager.net/emea/' });
    const elsewhere = await api.call('GET', '/api/bot/tenants/00000000-0000-0000-0000-000000000000/people/x/reach', { headers: bot() });
    expect(elsewhere.body).toEqual({ reference: null, serviceUrl: null });
  });

  it('tells the bot who administers a tenant, and that an unknown tenant has nobody yet', async () => {
    const known = await api.call<{ organizationExists: boolean; admins: Array<{ email: string; role: string }> }>('GET', `/api/bot/tenants/${api.tenant.tenantId}/admins`, { headers: bot() });
    expect(known.body).toEqual({ organizationExists: true, admins: [expect.objectContaining({ email: api.adminUpn, role: 'owner' })] });
    const unknown = await api.call('GET', '/api/bot/tenants/00000000-0000-0000-0000-000000000000/admins', { headers: bot() });
    expect(unknown.body).toEqual({ organizationExists: false, admins: [] });
  });

  it('refuses the internal routes to a caller without the shared secret, or with a wrong one, and stores nothing', async () => {
    for (const headers of [{}, { 'x-notify-secret': 'guess' }, { 'x-notify-secret': `${secret}x` }] as Array<Record<string, string>>) {
      const res = await api.call<Problem>('PUT', '/api/bot/conversations', { headers, body: { tenantId: api.tenant.tenantId, scope: 'personal', targetId: 'intruder', reference: {} } });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('BOT_SECRET_INVALID');
    }
    // A member's Entra token is not the bot's secret either.
    const withToken = await api.call<Problem>('GET', `/api/bot/tenants/${api.tenant.tenantId}/admins`, { token: ownerToken });
    expect(withToken.status).toBe(401);
    expect(await api.app.services.store.botConversations.find(api.tenant.tenantId, 'personal', 'intruder')).toBeUndefined();
  });

  it('lets the bot act for a member in chat with that member’s role, on the routes that allow it only', async () => {
    const me = await api.call<{ user: { email: string; role: string } }>('GET', '/api/me', { headers: forPerson(api.tenant.admin!.id) });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: api.adminUpn, role: 'owner' });

    const notAllowed = await api.call<Problem>('GET', '/api/employees/export.csv', { headers: forPerson(api.tenant.admin!.id) });
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.code).toBe('BOT_NOT_ALLOWED');
    const botForPerson = Object.entries(routes)
      .filter(([, r]) => 'botForPerson' in r)
      .map(([id]) => id)
      .sort();
    expect(botForPerson).toEqual(['approveRun', 'cancelRun', 'connection', 'createOnboardingLink', 'getConfiguration', 'getRun', 'getRunReport', 'listEmployees', 'listRuns', 'me', 'rejectRun', 'startRun', 'whyInDirectory']);
  });

  it('refuses a person who is not a member, naming whom to ask, and a tenant nobody has set up', async () => {
    const stranger = await api.call<Problem>('GET', '/api/sync/runs', { headers: forPerson('not-a-member') });
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe('NOT_A_MEMBER');
    expect(stranger.body.detail).toContain(api.adminUpn);
    const noOrganization = await api.call<Problem>('GET', '/api/sync/runs', { headers: forPerson('x', '00000000-0000-0000-0000-000000000000') });
    expect(noOrganization.body.code).toBe('ORGANIZATION_NOT_SET_UP');
    const wrongSecret = await api.call<Problem>('GET', '/api/sync/runs', { headers: { 'x-notify-secret': 'guess', 'x-bot-tenant-id': api.tenant.tenantId, 'x-bot-user-object-id': api.tenant.admin!.id } });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.code).toBe('BOT_SECRET_INVALID');
  });
});
