import { ApiHarness } from './api-harness';

type Connection = { status: string; tenantId: string | null; tenantName: string | null; permissions: Array<{ name: string }> };

describe('Connect to Microsoft 365 (admin consent)', () => {
  let api: ApiHarness;
  let ownerToken: string;
  beforeAll(async () => {
    api = await ApiHarness.start();
    ownerToken = await api.tokenFor(api.adminUpn);
  });
  afterAll(() => api.stop());

  it('shows a first sign-in its new organization, with the signed-in person as owner and the email provider detected', async () => {
    const me = await api.call<{ user: { role: string; email: string }; organization: { tenantId: string; providerDetection: { provider: string; evidence: string } | null } }>('GET', '/api/me', { token: ownerToken });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ role: 'owner', email: api.adminUpn });
    expect(me.body.organization.tenantId).toBe(api.tenant.tenantId);
    // The emulator answers OpenID discovery for the tenant's verified domain, as Entra does.
    expect(me.body.organization.providerDetection).toMatchObject({ provider: 'microsoft', evidence: `Entra tenant ${api.tenant.tenantId}` });
  });

  it('is not connected before consent, and lists the permissions it will ask for', async () => {
    const connection = await api.call<Connection>('GET', '/api/microsoft/connection', { token: ownerToken });
    expect(connection.body.status).toBe('not_connected');
    expect(connection.body.permissions.map((p) => p.name)).toEqual(['Directory.Read.All', 'User.Read', 'User.Read.All', 'Group.Read.All', 'GroupMember.Read.All']);
  });

  it('sends the admin to Entra’s consent page for their own tenant, with a state that expires', async () => {
    const start = await api.call<{ consentUrl: string; expiresAt: string }>('POST', '/api/microsoft/consent', { token: ownerToken });
    expect(start.status).toBe(200);
    const url = new URL(start.body.consentUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${api.emulator.url}/${api.tenant.tenantId}/v2.0/adminconsent`);
    expect(url.searchParams.get('client_id')).toBe(api.usersSync.clientId);
    expect(url.searchParams.get('scope')).toBe('https://graph.microsoft.com/.default');
    expect(url.searchParams.get('redirect_uri')).toBe(`${api.baseUrl}/api/microsoft/consent/callback`);
    expect(url.searchParams.get('state')).toBeTruthy();
    expect(Date.parse(start.body.expiresAt) - Date.now()).toBeGreaterThan(5 * 60_000);
  });

  it('comes back to the tab as declined when the admin cancels, and stays not connected', async () => {
    const back = await api.consent(ownerToken, api.adminUpn, 'cancel');
    expect(back.pathname).toBe('/');
    expect(back.searchParams.get('consent')).toBe('declined');
    expect(back.searchParams.get('message')).toMatch(/Global Administrator/);
    expect((await api.call<Connection>('GET', '/api/microsoft/connection', { token: ownerToken })).body.status).toBe('not_connected');
  });

  it('connects when an admin accepts: the tenant is proven by reading /organization with an app token', async () => {
    const back = await api.consent(ownerToken, api.adminUpn);
    expect(back.searchParams.get('consent')).toBe('connected');
    const connection = await api.call<Connection>('GET', '/api/microsoft/connection', { token: ownerToken });
    expect(connection.body).toMatchObject({ status: 'connected', tenantId: api.tenant.tenantId, tenantName: api.tenant.displayName });
  });

  it('refuses a replayed consent answer', async () => {
    const start = await api.call<{ consentUrl: string }>('POST', '/api/microsoft/consent', { token: ownerToken });
    const callback = await api.submitConsentPage(start.body.consentUrl, api.adminUpn, 'accept');
    expect((await api.followCallback(callback)).searchParams.get('consent')).toBe('connected');
    const replay = await api.followCallback(callback);
    expect(replay.searchParams.get('consent')).toBe('failed');
    expect(replay.searchParams.get('code')).toBe('CONSENT_STATE_REPLAYED');
  });

  it('refuses a forged state and a missing one, changing nothing', async () => {
    const forged = await api.followCallback(`${api.baseUrl}/api/microsoft/consent/callback?admin_consent=True&tenant=${api.tenant.tenantId}&state=eyJhbGciOiJIUzI1NiJ9.eyJvcmciOiJ4Iiwibm9uY2UiOiJ4eHh4eHh4eHh4eHh4eHh4eCJ9.c2lnbmF0dXJl`);
    expect(forged.searchParams.get('code')).toBe('CONSENT_STATE_INVALID');
    const missing = await api.followCallback(`${api.baseUrl}/api/microsoft/consent/callback?admin_consent=True&tenant=${api.tenant.tenantId}`);
    expect(missing.searchParams.get('code')).toBe('CONSENT_STATE_MISSING');
  });

  it('reports Entra’s error with what to do when consent fails', async () => {
    const start = await api.call<{ consentUrl: string }>('POST', '/api/microsoft/consent', { token: ownerToken });
    const state = new URL(start.body.consentUrl).searchParams.get('state')!;
    const back = await api.followCallback(
      `${api.baseUrl}/api/microsoft/consent/callback?error=invalid_request&error_description=${encodeURIComponent('AADSTS90094: The grant requires admin permission.\nTrace ID: x')}&state=${encodeURIComponent(state)}`,
    );
    expect(back.searchParams.get('consent')).toBe('failed');
    expect(back.searchParams.get('message')).toBe('Microsoft Entra ID refused the consent: AADSTS90094: The grant requires admin permission.. Try again, or share the onboarding link with an administrator.');
  });

  it('does not let a non-admin consent (Entra refuses them on its page)', async () => {
    const users = await api.emulator.control.users(api.tenant.tenantId, { limit: 50 });
    const employee = users.value.find((u) => u.userPrincipalName !== api.adminUpn && u.accountEnabled && u.userType === 'Member')!;
    const start = await api.call<{ consentUrl: string }>('POST', '/api/microsoft/consent', { token: ownerToken });
    const url = new URL(start.body.consentUrl);
    const answer = await fetch(url, { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(url.searchParams), username: employee.userPrincipalName, action: 'accept' }), redirect: 'manual' });
    expect(answer.status).toBe(403);
  });

  it('lets the owner disconnect; employees stay', async () => {
    const res = await api.call('DELETE', '/api/microsoft/connection', { token: ownerToken });
    expect(res.status).toBe(204);
    expect((await api.call<Connection>('GET', '/api/microsoft/connection', { token: ownerToken })).body.status).toBe('not_connected');
  });
});
