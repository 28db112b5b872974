import { ApiHarness } from './api-harness';

type Problem = { code: string; detail: string };
type Me = { user: { id: string; role: string; email: string } };
type ControlUser = { id: string; userPrincipalName: string; userType: string; accountEnabled: boolean };

/** Who may own and administer an organization: guests never; a tenant's Global Administrator may take it; rights from a role end with the role. */
describe('who owns and administers an organization', () => {
  let api: ApiHarness;
  let users: ControlUser[];
  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 30, groups: 2, seed: 23, disabledShare: 0, guestShare: 0.2, noMailboxShare: 0 }, changeNotifications: false });
    users = (await api.emulator.control.users(api.tenant.tenantId, { limit: 100 })).value as ControlUser[];
  });
  afterAll(() => api.stop());

  const members = () => users.filter((u) => u.userType === 'Member' && u.accountEnabled && u.userPrincipalName !== api.adminUpn);
  const me = async (upn: string) => api.call<Me & Problem>('GET', '/api/me', { token: await api.tokenFor(upn) });

  it('never lets a guest create, join or own the organization, and tells a guest nothing of its owner', async () => {
    const guest = users.find((u) => u.userType === 'Guest')!;
    const first = await me(guest.userPrincipalName);
    expect(first.status).toBe(403);
    expect(first.body.code).toBe('GUEST_NOT_ALLOWED');
    // The guest's sign-in created nothing: the first member of the tenant to sign in owns it.
    const employee = members()[0]!;
    expect((await me(employee.userPrincipalName)).body.user.role).toBe('owner');
    const again = await me(guest.userPrincipalName);
    expect(again.status).toBe(403);
    expect(JSON.stringify(again.body)).not.toContain(employee.userPrincipalName);
  });

  it('ends admin rights an Entra role gave at the first request after the role is removed, and logs it', async () => {
    const colleague = members()[1]!;
    await api.emulator.control.updateUser(api.tenant.tenantId, colleague.id, { roles: ['Cloud Application Administrator'] });
    expect((await me(colleague.userPrincipalName)).body.user.role).toBe('admin');
    await api.emulator.control.updateUser(api.tenant.tenantId, colleague.id, { roles: [] });
    const after = await me(colleague.userPrincipalName);
    expect(after.status).toBe(403);
    expect(after.body.code).toBe('NOT_A_MEMBER');
    const exported = await api.call<Problem>('GET', '/api/employees/export.csv', { token: await api.tokenFor(colleague.userPrincipalName) });
    expect(exported.status).toBe(403);

    const owner = await api.tokenFor(members()[0]!.userPrincipalName);
    const log = await api.call<{ entries: Array<{ action: string; detail: string }> }>('GET', '/api/organization/audit', { token: owner });
    expect(log.body.entries[0]).toMatchObject({ action: 'directory_admin_removed', detail: expect.stringContaining(colleague.userPrincipalName) });
  });

  it("lets the tenant's Global Administrator take ownership, recorded where the owner reads it; the former owner stays an admin", async () => {
    const formerOwner = members()[0]!;
    const admin = await api.tokenFor(api.adminUpn);
    expect((await api.call<Me>('GET', '/api/me', { token: admin })).body.user.role).toBe('admin');
    // The owner-only routes stay closed to an admin, and a person without the role cannot take ownership.
    expect((await api.call<Problem>('GET', '/api/organization/audit', { token: admin })).body.code).toBe('OWNER_ONLY');
    const refused = await api.call<Problem>('POST', '/api/organization/owner/take', { token: await api.tokenFor(formerOwner.userPrincipalName) });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('OWNERSHIP_ROLE_REQUIRED');

    const taken = await api.call<{ email: string }>('POST', '/api/organization/owner/take', { token: admin });
    expect(taken.status).toBe(200);
    expect((await api.call<Me>('GET', '/api/me', { token: admin })).body.user.role).toBe('owner');
    expect((await me(formerOwner.userPrincipalName)).body.user.role).toBe('admin');
    const log = await api.call<{ entries: Array<{ action: string; actorEmail: string; detail: string }> }>('GET', '/api/organization/audit', { token: admin });
    expect(log.body.entries[0]).toMatchObject({ action: 'ownership_taken', actorEmail: api.adminUpn, detail: expect.stringContaining(formerOwner.userPrincipalName) });
  });

  it('lets the owner hand ownership to another member, and only to a member', async () => {
    const admin = await api.tokenFor(api.adminUpn);
    const formerOwner = members()[0]!;
    const stranger = await api.call<Problem>('PUT', '/api/organization/owner', { token: admin, body: { userObjectId: members()[5]!.id } });
    expect(stranger.status).toBe(404);
    expect(stranger.body.code).toBe('MEMBER_NOT_FOUND');
    const handed = await api.call<{ email: string }>('PUT', '/api/organization/owner', { token: admin, body: { userObjectId: formerOwner.id } });
    expect(handed.status).toBe(200);
    expect((await me(formerOwner.userPrincipalName)).body.user.role).toBe('owner');
    // The Global Administrator who handed it over stays an admin.
    expect((await api.call<Me>('GET', '/api/me', { token: admin })).body.user.role).toBe('admin');
    const log = await api.call<{ entries: Array<{ action: string }> }>('GET', '/api/organization/audit', { token: await api.tokenFor(formerOwner.userPrincipalName) });
    expect(log.body.entries.map((e) => e.action).slice(0, 2)).toEqual(['ownership_transferred', 'ownership_taken']);
  });
});
