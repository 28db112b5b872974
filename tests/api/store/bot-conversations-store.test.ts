import type { Store } from '@users-sync/api/store/index';
import { describeEachStore } from './store-backends';

describeEachStore('the bot’s conversation references', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, done } = await backend.open());
  });
  afterEach(() => done());

  const reference = (id: string) => ({ conversation: { id }, serviceUrl: 'https://smba.trafficmanager.net/emea/' });

  it('keeps one reference per installation, refreshed on reinstall, and forgets it on uninstall', async () => {
    await store.botConversations.save({ tenantId: 't1', scope: 'personal', targetId: 'ann', reference: reference('a:1') });
    const first = await store.botConversations.find('t1', 'personal', 'ann');
    await store.botConversations.save({ tenantId: 't1', scope: 'personal', targetId: 'ann', reference: reference('a:2') });
    const again = await store.botConversations.find('t1', 'personal', 'ann');
    expect(again).toEqual({ ...first, reference: reference('a:2') });
    expect(await store.botConversations.remove('t1', 'personal', 'ann')).toBe(true);
    expect(await store.botConversations.remove('t1', 'personal', 'ann')).toBe(false);
    expect(await store.botConversations.find('t1', 'personal', 'ann')).toBeUndefined();
  });

  it('hands back the personal chats of the organization’s admins only, not of other people, teams or other tenants', async () => {
    const organization = await store.members.createOrganization('t1', 'contoso.com', { userObjectId: 'ann', email: 'ann@contoso.com', name: 'Ann' });
    await store.members.add(organization!, { userObjectId: 'bob', email: 'bob@contoso.com', name: 'Bob' }, 'admin', 'owner');
    await store.members.createOrganization('t2', 'fabrikam.com', { userObjectId: 'zoe', email: 'zoe@fabrikam.com', name: 'Zoe' });
    for (const [tenantId, scope, targetId] of [
      ['t1', 'personal', 'ann'],
      ['t1', 'personal', 'bob'],
      ['t1', 'personal', 'carol'],
      ['t1', 'team', '19:team'],
      ['t2', 'personal', 'zoe'],
    ] as const) {
      await store.botConversations.save({ tenantId, scope, targetId, reference: reference(`${tenantId}-${targetId}`) });
    }
    const admins = await store.botConversations.ofAdmins(organization!);
    expect(admins.map((a) => [a.targetId, a.role, a.name])).toEqual([
      ['ann', 'owner', 'Ann'],
      ['bob', 'admin', 'Bob'],
    ]);
    expect((await store.members.list(organization!)).map((m) => m.role)).toEqual(['owner', 'admin']);
  });
});
