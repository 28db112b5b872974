import { ApiHarness } from './api-harness';

type Problem = { status: number; code: string; detail: string; requestId?: string };

/** Rewrites a claim of a signed token, keeping its signature: what a forger would send. */
function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const body = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>), ...claims };
  return `${header}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${signature}`;
}

describe('the api lets in only valid Entra tokens, and each organization sees only its own data', () => {
  let api: ApiHarness;
  let ownerToken: string;
  beforeAll(async () => {
    api = await ApiHarness.start();
    ownerToken = await api.tokenFor(api.adminUpn);
    await api.consent(ownerToken, api.adminUpn);
  });
  afterAll(() => api.stop());

  const protectedCalls: Array<[string, string, unknown?]> = [
    ['GET', '/api/me'],
    ['GET', '/api/microsoft/connection'],
    ['POST', '/api/microsoft/consent'],
    ['GET', '/api/microsoft/groups'],
    ['GET', '/api/sync/configuration'],
    ['PUT', '/api/sync/configuration', { scope: { kind: 'all' } }],
    ['POST', '/api/sync/runs', {}],
    ['GET', '/api/sync/runs'],
    ['GET', '/api/employees'],
    ['GET', '/api/employees/export.csv'],
  ];

  // Rest parameters: jest reads a third declared parameter of a two-value row as a done callback.
  it.each(protectedCalls)('%s %s without a token is 401 with a problem that says to sign in', async (...[method, route, body]: [string, string, unknown?]) => {
    const res = await api.call<Problem>(method, route, { body });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });
    expect(res.body.requestId).toBeTruthy();
  });

  it('refuses an expired token, saying to sign in again', async () => {
    const expired = await api.tokenFor(api.adminUpn, { lifetimeSeconds: -3600 });
    const res = await api.call<Problem>('GET', '/api/me', { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
    expect(res.body.detail).toMatch(/sign in again/i);
  });

  it('refuses a token issued for another application', async () => {
    const graphToken = await api.tokenFor(api.adminUpn, { audience: 'https://graph.microsoft.com' });
    const res = await api.call<Problem>('GET', '/api/me', { token: graphToken });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_WRONG_AUDIENCE');
  });

  it('refuses a token whose claims were changed after signing (forged signature)', async () => {
    const forged = tamper(ownerToken, { oid: '00000000-0000-0000-0000-000000000bad' });
    const res = await api.call<Problem>('GET', '/api/me', { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it('refuses a token for our API that was not granted the access_as_user scope', async () => {
    const unscoped = await api.emulator.control.token(api.tenant.tenantId, { user: api.adminUpn, clientId: api.usersSync.clientId, audience: api.usersSync.clientId, scopes: [] });
    const res = await api.call<Problem>('GET', '/api/me', { token: unscoped.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TOKEN_SCOPE_MISSING');
  });

  it('refuses a token that is not a JWT, and one naming no tenant', async () => {
    expect((await api.call<Problem>('GET', '/api/me', { token: 'not-a-token' })).body.code).toBe('TOKEN_MALFORMED');
    const noTenant = tamper(ownerToken, { tid: 'contoso' });
    expect((await api.call<Problem>('GET', '/api/me', { token: noTenant })).body.code).toBe('TOKEN_INVALID');
  });

  it('refuses a token from a tenant Entra does not know', async () => {
    const unknown = tamper(ownerToken, { tid: '0badc0de-0000-4000-8000-000000000000' });
    const res = await api.call<Problem>('GET', '/api/me', { token: unknown });
    expect(res.status).toBe(401);
  });

  it('keeps another tenant’s organization out of this one’s runs and employees', async () => {
    const run = await api.call<{ id: string }>('POST', '/api/sync/runs', { token: ownerToken, body: {} });
    expect(run.status).toBe(202);
    const other = await api.emulator.control.createTenant({ users: 5, groups: 1, seed: 99, consentedApps: [] });
    const strangerToken = await api.tokenFor(other.admin!.userPrincipalName, { tenantId: other.tenantId });

    const me = await api.call<{ organization: { tenantId: string; id: string } }>('GET', '/api/me', { token: strangerToken });
    expect(me.body.organization.tenantId).toBe(other.tenantId);

    const theirView = await api.call<Problem>('GET', `/api/sync/runs/${run.body.id}`, { token: strangerToken });
    expect(theirView.status).toBe(404);
    expect(theirView.body.code).toBe('RUN_NOT_FOUND');
    const cancel = await api.call<Problem>('POST', `/api/sync/runs/${run.body.id}/cancel`, { token: strangerToken });
    expect(cancel.status).toBe(404);
    const employees = await api.call<{ total: number }>('GET', '/api/employees', { token: strangerToken });
    expect(employees.body.total).toBe(0);
    // Their organization is not connected: they cannot start anything on ours either.
    const start = await api.call<Problem>('POST', '/api/sync/runs', { token: strangerToken, body: {} });
    expect(start.status).toBe(409);
    expect(start.body.code).toBe('MICROSOFT_NOT_CONNECTED');
  });

  it('refuses a person of the tenant who is neither a member nor a Microsoft admin, naming the owner to ask', async () => {
    const users = await api.emulator.control.users(api.tenant.tenantId, { limit: 50 });
    const employee = users.value.find((u) => u.userPrincipalName !== api.adminUpn && u.accountEnabled && u.userType === 'Member')!;
    const res = await api.call<Problem>('GET', '/api/me', { token: await api.tokenFor(employee.userPrincipalName) });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('NOT_A_MEMBER');
    expect(res.body.detail).toContain(api.adminUpn);
  });

  it('lets a Microsoft admin of the tenant in as an admin, but keeps owner-only actions for the owner', async () => {
    const users = await api.emulator.control.users(api.tenant.tenantId, { limit: 50 });
    const colleague = users.value.find((u) => u.userPrincipalName !== api.adminUpn && u.accountEnabled && u.userType === 'Member')!;
    await api.emulator.control.updateUser(api.tenant.tenantId, colleague.id, { roles: ['Cloud Application Administrator'] });
    const token = await api.tokenFor(colleague.userPrincipalName);
    const me = await api.call<{ user: { role: string } }>('GET', '/api/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.user.role).toBe('admin');
    const disconnect = await api.call<Problem>('DELETE', '/api/microsoft/connection', { token });
    expect(disconnect.status).toBe(403);
    expect(disconnect.body.code).toBe('OWNER_ONLY');
    expect((await api.call<{ status: string }>('GET', '/api/microsoft/connection', { token })).body.status).toBe('connected');
  });
});
