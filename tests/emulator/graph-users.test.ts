import type { RunningEmulator } from '@users-sync/emulator/index';
import { allPages, appToken, decodeJwt, graph, seedTenant, startTestEmulator, type Page, type SeededTenant } from './emulator-harness';

describe('Graph /users', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 450, groups: 5, seed: 101, disabledShare: 0.1, guestShare: 0.05, noMailboxShare: 0.05 });
  });
  afterAll(() => emulator.close());

  it('a page of users carries a nextLink with $skiptoken that replays the original query', async () => {
    const first = await graph<Page>(emulator, tenant.token, '/users?$top=50&$select=id,displayName,accountEnabled');
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(50);
    const next = first.body['@odata.nextLink']!;
    expect(next.startsWith(`${emulator.url}/v1.0/users?`)).toBe(true);
    expect(next).toContain('$top=50');
    expect(next).toContain('$select=id,displayName,accountEnabled');
    expect(next).toMatch(/\$skiptoken=[^&]+$/);
    const all = await allPages(emulator, tenant.token, '/users?$top=50&$select=id,displayName,accountEnabled');
    expect(all.items).toHaveLength(450);
    expect(new Set(all.items.map((u) => u.id)).size).toBe(450);
    expect(all.pages.at(-1)!['@odata.nextLink']).toBeUndefined();
    expect(Object.keys(all.items[0]!).sort()).toEqual(['accountEnabled', 'displayName', 'id']);
  });

  it('answers 100 users by default, with the default property set only', async () => {
    const page = await graph<Page>(emulator, tenant.token, '/users');
    expect(page.body.value).toHaveLength(100);
    expect(page.body['@odata.context']).toBe(`${emulator.url}/v1.0/$metadata#users`);
    expect(Object.keys(page.body.value[0]!).sort()).toEqual(
      ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
    expect(page.body.value[0]).not.toHaveProperty('accountEnabled');
  });

  it.each(['0', '1000', 'abc'])('refuses $top=%s with 400', async (top) => {
    const answer = await graph<{ error: { code: string; message: string } }>(emulator, tenant.token, `/users?$top=${top}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('Invalid page size');
  });

  it('refuses $skip and unknown $select properties in Graph error shape', async () => {
    const skip = await graph<{ error: { code: string; innerError: Record<string, string> } }>(emulator, tenant.token, '/users?$skip=10');
    expect(skip.status).toBe(400);
    const bad = await graph<{ error: { code: string; message: string; innerError: Record<string, string> } }>(emulator, tenant.token, '/users?$select=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("Could not find a property named 'nope'");
    expect(bad.body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(bad.headers.get('request-id')).toBe(bad.body.error.innerError['request-id']);
  });

  it('filters by accountEnabled, userType, startswith and id in', async () => {
    const enabled = await allPages(emulator, tenant.token, '/users?$filter=accountEnabled eq false&$select=id,accountEnabled&$top=999');
    expect(enabled.items.length).toBeGreaterThan(10);
    expect(enabled.items.every((u) => u.accountEnabled === false)).toBe(true);
    const guests = await allPages(emulator, tenant.token, "/users?$filter=userType eq 'Guest'&$select=userPrincipalName,userType,mail");
    expect(guests.items.length).toBeGreaterThan(5);
    for (const g of guests.items) expect(g.userPrincipalName).toContain('#EXT#@');
    const admins = await graph<Page>(emulator, tenant.token, "/users?$filter=startswith(userPrincipalName,'ADMIN@')");
    expect(admins.body.value.map((u) => u.userPrincipalName)).toEqual([`admin@${tenant.defaultDomain}`]);
    const some = (await graph<Page>(emulator, tenant.token, '/users?$top=3&$select=id')).body.value.map((u) => String(u.id));
    const byId = await graph<Page>(emulator, tenant.token, `/users?$filter=id in (${some.map((id) => `'${id}'`).join(',')})&$select=id`);
    expect(byId.body.value.map((u) => u.id).sort()).toEqual([...some].sort());
  });

  it('needs ConsistencyLevel: eventual and $count=true for advanced filters, and counts on the first page only', async () => {
    const refused = await graph<{ error: { code: string } }>(emulator, tenant.token, "/users?$filter=userType ne 'Guest'");
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('Request_UnsupportedQuery');
    const headers = { ConsistencyLevel: 'eventual' };
    const counted = await graph<Page>(emulator, tenant.token, "/users?$filter=userType ne 'Guest'&$count=true&$top=100", { headers });
    expect(counted.status).toBe(200);
    const members = counted.body['@odata.count']!;
    expect(members).toBeGreaterThan(300);
    const second = await graph<Page>(emulator, tenant.token, counted.body['@odata.nextLink']!, { headers });
    expect(second.body['@odata.count']).toBeUndefined();
    const ignored = await graph<Page>(emulator, tenant.token, '/users?$count=true');
    expect(ignored.body['@odata.count']).toBeUndefined();
  });

  it('answers /users/$count as text/plain only with ConsistencyLevel: eventual', async () => {
    expect((await graph(emulator, tenant.token, '/users/$count')).status).toBe(400);
    const answer = await graph(emulator, tenant.token, '/users/$count', { headers: { ConsistencyLevel: 'eventual' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.body).toBe(450);
  });

  it('gets one user by id or by UPN, and 404s in Graph shape for an unknown one', async () => {
    const byUpn = await graph<Record<string, unknown>>(emulator, tenant.token, `/users/admin@${tenant.defaultDomain}?$select=id,userPrincipalName,accountEnabled`);
    expect(byUpn.status).toBe(200);
    expect(byUpn.body.userPrincipalName).toBe(`admin@${tenant.defaultDomain}`);
    const byId = await graph<Record<string, unknown>>(emulator, tenant.token, `/users/${String(byUpn.body.id)}`);
    expect(byId.body.id).toBe(byUpn.body.id);
    const missing = await graph<{ error: { code: string } }>(emulator, tenant.token, '/users/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('answers 401 InvalidAuthenticationToken without a valid token', async () => {
    const none = await graph<{ error: { code: string } }>(emulator, null, '/users');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('InvalidAuthenticationToken');
    const forged = await graph<{ error: { code: string } }>(emulator, `${tenant.token.slice(0, -4)}AAAA`, '/users');
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('keeps honouring a token issued before consent was revoked until it expires, and answers 403 Authorization_RequestDenied to new ones (access-tokens)', async () => {
    await emulator.control.revokeConsent(tenant.tenantId, tenant.app.clientId);
    expect((await graph(emulator, tenant.token, '/users?$top=1')).status).toBe(200);
    const fresh = await appToken(emulator, tenant.tenantId, tenant.app.clientId, tenant.app.clientSecret);
    const denied = await graph<{ error: { code: string; message: string } }>(emulator, fresh, '/users');
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    await emulator.control.grantConsent(tenant.tenantId, tenant.app.clientId);
    const again = await appToken(emulator, tenant.tenantId, tenant.app.clientId, tenant.app.clientSecret);
    expect((await graph(emulator, again, '/users?$top=1')).status).toBe(200);
  });

  it('issues tokens that live between 60 and 90 minutes, and lets them expire when the tenant clock moves on', async () => {
    const answer = await fetch(`${emulator.url}/${tenant.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: tenant.app.clientId, client_secret: tenant.app.clientSecret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' }),
    });
    const body = (await answer.json()) as { expires_in: number; access_token: string };
    expect(body.expires_in).toBeGreaterThanOrEqual(3600);
    expect(body.expires_in).toBeLessThanOrEqual(5400);
    const claims = decodeJwt(body.access_token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(body.expires_in);
    const other = await emulator.control.createTenant({ users: 3, groups: 0, seed: 31 });
    const token = await appToken(emulator, other.tenantId, other.app.clientId, other.app.clientSecret);
    await emulator.control.advanceClock(other.tenantId, 5401);
    const expired = await graph<{ error: { code: string; message: string } }>(emulator, token, '/users');
    expect(expired.status).toBe(401);
    expect(expired.body.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: expect.stringContaining('expired') });
  });

  it('answers 403 to an app consented without user permissions', async () => {
    const app = await emulator.control.registerApp({ displayName: 'Groups only', requiredPermissions: ['GroupMember.Read.All'] });
    await emulator.control.grantConsent(tenant.tenantId, app.clientId);
    const token = await appToken(emulator, tenant.tenantId, app.clientId, app.clientSecret);
    expect((await graph(emulator, token, '/users')).status).toBe(403);
    expect((await graph(emulator, token, '/groups')).status).toBe(200);
  });

  it('serves /organization with the verified domains', async () => {
    const org = await graph<Page>(emulator, tenant.token, '/organization');
    expect(org.status).toBe(200);
    expect(org.body.value[0]).toMatchObject({ id: tenant.tenantId, displayName: tenant.displayName });
    expect((org.body.value[0]!.verifiedDomains as Array<{ name: string }>).map((d) => d.name).sort()).toEqual([...tenant.domains].sort());
  });

  it('puts x-ms-resource-unit, request-id and client-request-id on every answer', async () => {
    const answer = await graph(emulator, tenant.token, '/users?$top=999', { headers: { 'client-request-id': 'abc-123' } });
    expect(answer.headers.get('x-ms-resource-unit')).toBe('2');
    expect(answer.headers.get('client-request-id')).toBe('abc-123');
    expect(answer.headers.get('request-id')).toBeTruthy();
    expect((await graph(emulator, tenant.token, '/users?$select=id&$top=5')).headers.get('x-ms-resource-unit')).toBe('1');
    expect((await graph(emulator, tenant.token, '/organization')).headers.get('x-ms-resource-unit')).toBe('1');
  });
});
