import { ApiHarness } from '../http/api-harness';

type Person = { id: string; name: string; email: string; role: string; grantedBy: string | null; invited: boolean };
type Problem = { code: string; detail: string };

/** The account's people: who is owner, who is admin and how each got there; the owner adds and removes admins. */
describe('Owner and admins', () => {
  let api: ApiHarness;
  let ownerToken: string;
  let ownerEmail: string;
  let domain: string;
  const people = async (token = ownerToken) => (await api.call<{ people: Person[] }>('GET', '/api/account/people', { token })).body.people;

  beforeAll(async () => {
    api = await ApiHarness.start({ changeNotifications: false });
    domain = api.adminUpn.split('@')[1]!;
    ownerEmail = `olivia.owner@${domain}`;
    for (const [name, upn] of [
      ['Olivia Owner', ownerEmail],
      ['Ines Invited', `ines@${domain}`],
      ['Nora Nobody', `nora@${domain}`],
    ]) {
      await api.emulator.control.createUser(api.tenant.tenantId, { displayName: name!, userPrincipalName: upn!, mail: upn!, accountEnabled: true });
    }
    ownerToken = await api.tokenFor(ownerEmail);
    await api.call('GET', '/api/me', { token: ownerToken });
  });
  afterAll(() => api.stop());

  it('shows the owner as the person who created the account, and a Microsoft admin as having joined by signing in', async () => {
    const adminToken = await api.tokenFor(api.adminUpn);
    expect((await api.call<{ user: { role: string } }>('GET', '/api/me', { token: adminToken })).body.user.role).toBe('admin');
    const list = await people();
    expect(list.map((p) => [p.email, p.role, p.grantedBy])).toEqual([
      [ownerEmail, 'owner', 'created_the_account'],
      [api.adminUpn, 'admin', 'microsoft_admin'],
    ]);
  });

  it('lets the owner add an admin by email, who joins at their first sign-in (someone not added is still refused)', async () => {
    const nobody = await api.call<Problem>('GET', '/api/me', { token: await api.tokenFor(`nora@${domain}`) });
    expect(nobody.body.code).toBe('NOT_A_MEMBER');

    const added = await api.call<{ people: Person[] }>('POST', '/api/account/admins', { token: ownerToken, body: { email: `INES@${domain}` } });
    expect(added.status).toBe(200);
    expect(added.body.people.find((p) => p.email === `ines@${domain}`)).toMatchObject({ role: 'admin', grantedBy: 'added_by_owner', invited: true });

    const ines = await api.tokenFor(`ines@${domain}`);
    expect((await api.call<{ user: { role: string } }>('GET', '/api/me', { token: ines })).body.user.role).toBe('admin');
    expect((await people()).find((p) => p.email === `ines@${domain}`)).toMatchObject({ name: 'Ines Invited', invited: false, grantedBy: 'added_by_owner' });
    expect((await api.call<Problem>('POST', '/api/account/admins', { token: ownerToken, body: { email: `ines@${domain}` } })).body.code).toBe('ALREADY_A_MEMBER');
  });

  it('lets only the owner change who is admin', async () => {
    const ines = await api.tokenFor(`ines@${domain}`);
    const refused = await api.call<Problem>('POST', '/api/account/admins', { token: ines, body: { email: `nora@${domain}` } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('OWNER_ONLY');
    expect((await people(ines)).length).toBe(3);
  });

  it('removes an admin for good: a removed Microsoft admin does not come back by signing in, until the owner adds them again', async () => {
    const admin = (await people()).find((p) => p.email === api.adminUpn)!;
    const removed = await api.call<{ people: Person[] }>('DELETE', `/api/account/admins/${admin.id}`, { token: ownerToken });
    expect(removed.body.people.map((p) => p.email)).not.toContain(api.adminUpn);
    const back = await api.call<Problem>('GET', '/api/me', { token: await api.tokenFor(api.adminUpn) });
    expect(back.status).toBe(403);
    expect(back.body.code).toBe('MEMBER_REMOVED');
    expect(back.body.detail).toContain(ownerEmail);

    await api.call('POST', '/api/account/admins', { token: ownerToken, body: { email: api.adminUpn } });
    expect((await api.call<{ user: { role: string } }>('GET', '/api/me', { token: await api.tokenFor(api.adminUpn) })).body.user.role).toBe('admin');
    expect((await people()).find((p) => p.email === api.adminUpn)).toMatchObject({ grantedBy: 'added_by_owner' });
  });

  it('keeps an admin the owner added by hand after their Microsoft admin role goes, while a role alone lasts only as long as the role', async () => {
    const withRole = async (name: string, upn: string) =>
      api.emulator.control.createUser(api.tenant.tenantId, { displayName: name, userPrincipalName: upn, mail: upn, accountEnabled: true, roles: ['Cloud Application Administrator'] });
    const role = await withRole('Rita Role', `rita@${domain}`);
    const hand = await withRole('Hugo Hand', `hugo@${domain}`);
    for (const upn of [`rita@${domain}`, `hugo@${domain}`]) {
      expect((await api.call<{ user: { role: string } }>('GET', '/api/me', { token: await api.tokenFor(upn) })).body.user.role).toBe('admin');
    }
    const added = await api.call<{ people: Person[] }>('POST', '/api/account/admins', { token: ownerToken, body: { email: `hugo@${domain}` } });
    expect(added.body.people.find((p) => p.email === `hugo@${domain}`)).toMatchObject({ grantedBy: 'added_by_owner' });

    for (const user of [role, hand]) await api.emulator.control.updateUser(api.tenant.tenantId, user.id, { roles: [] });
    expect((await api.call<Problem>('GET', '/api/me', { token: await api.tokenFor(`rita@${domain}`) })).body.code).toBe('NOT_A_MEMBER');
    expect((await api.call<{ user: { role: string } }>('GET', '/api/me', { token: await api.tokenFor(`hugo@${domain}`) })).body.user.role).toBe('admin');
    expect((await people()).map((p) => p.email)).toEqual(expect.arrayContaining([`hugo@${domain}`]));
    expect((await people()).map((p) => p.email)).not.toContain(`rita@${domain}`);
  });

  it('never removes the owner, and says so for someone who is not an admin', async () => {
    const owner = (await people()).find((p) => p.role === 'owner')!;
    expect((await api.call<Problem>('DELETE', `/api/account/admins/${owner.id}`, { token: ownerToken })).body.code).toBe('CANNOT_REMOVE_OWNER');
    expect((await api.call<Problem>('DELETE', '/api/account/admins/nobody', { token: ownerToken })).body.code).toBe('ADMIN_NOT_FOUND');
  });
});
