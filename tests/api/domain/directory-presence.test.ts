import { chooseCandidate, directoryUserSchema, explainPresence, needsGroupsOf, type DirectoryUser, type PresenceConfiguration, type StoredPresence } from '@users-sync/api/domain/index';

// Graph leaves out what a user does not have: the schema reads every missing property as null.
const user = (over: Partial<DirectoryUser> & { id: string }): DirectoryUser => directoryUserSchema.parse({ accountEnabled: true, userType: 'Member', ...over });

const ann = user({ id: 'u-ann', displayName: 'Ann Lee', mail: 'ann@contoso.com', userPrincipalName: 'ann@contoso.com' });
const anna = user({ id: 'u-anna', displayName: 'Anna Berg', mail: 'anna@contoso.com', userPrincipalName: 'anna@contoso.com' });
const everyone: PresenceConfiguration = { scope: { kind: 'all' }, includeGuests: false, exclusions: [] };
const arsen: PresenceConfiguration = { scope: { kind: 'group_name', groupName: 'arsen' }, includeGuests: false, exclusions: [] };
const arsenGroup = { id: 'g-arsen', displayName: 'arsen' };
const active: StoredPresence = { employeeId: 'e-1', status: 'active', lastSyncedAt: '2026-03-01T10:00:00.000Z', deactivatedAt: null, lastChange: { at: '2026-03-01T10:00:00.000Z', runId: 'run-7', action: 'created' } };

const explain = (query: string, candidates: DirectoryUser[], configuration = everyone, extra: { groups?: Array<{ id: string; displayName: string | null }>; stored?: StoredPresence | null } = {}) =>
  explainPresence({
    query,
    choice: chooseCandidate(query, candidates),
    configuration,
    scopeGroups: configuration.scope.kind === 'all' ? null : [arsenGroup],
    groupsOfPerson: extra.groups ?? null,
    stored: extra.stored ?? null,
  });

describe('"Someone missing?" decides', () => {
  it('not found, when nobody in the tenant matches', () => {
    expect(explain('zoe@contoso.com', [])).toMatchObject({ verdict: 'not_found' });
  });

  it('several matches for a name that starts several people, but one person for an exact address or exact name', () => {
    expect(chooseCandidate('ann', [ann, anna])).toMatchObject({ kind: 'several', users: [ann, anna] });
    expect(explain('ann', [ann, anna]).verdict).toBe('several_matches');
    expect(chooseCandidate('ANN@contoso.com', [ann, anna])).toEqual({ kind: 'one', user: ann });
    expect(chooseCandidate('ann lee', [ann, anna])).toEqual({ kind: 'one', user: ann });
    expect(chooseCandidate('anna b', [anna])).toEqual({ kind: 'one', user: anna });
  });

  it('disabled, and says when the directory still lists them as active', () => {
    const answer = explain('ann@contoso.com', [{ ...ann, accountEnabled: false }], everyone, { stored: active });
    expect(answer.verdict).toBe('disabled');
    expect(answer.message).toContain('still listed as active');
  });

  it('guest, when guests are excluded, and no longer once they are included', () => {
    const guest = user({ id: 'u-g', displayName: 'Gus Guest', mail: 'gus@fabrikam.com', userPrincipalName: 'gus_fabrikam.com#EXT#@contoso.onmicrosoft.com', userType: 'Guest' });
    expect(explain('gus@fabrikam.com', [guest]).verdict).toBe('guest_excluded');
    expect(explain('gus@fabrikam.com', [guest], { ...everyone, includeGuests: true }).verdict).toBe('not_synced_yet');
  });

  it('no usable email, for an account without mailbox whose UPN is no address', () => {
    expect(explain('Room 4', [user({ id: 'u-r', displayName: 'Room 4', userPrincipalName: 'room4' })]).verdict).toBe('no_usable_email');
  });

  it('excluded, naming the exclusion entry that matches', () => {
    const answer = explain('ann@contoso.com', [ann], { ...everyone, exclusions: ['bob@contoso.com', 'contoso.com'] });
    expect(answer).toMatchObject({ verdict: 'excluded', exclusion: 'contoso.com' });
  });

  it('outside the scope, listing the groups the person is in', () => {
    const answer = explain('ann@contoso.com', [ann], arsen, { groups: [{ id: 'g-sales', displayName: 'Sales' }] });
    expect(answer).toMatchObject({ verdict: 'outside_scope', groups: [{ id: 'g-sales', displayName: 'Sales' }] });
    expect(answer.message).toContain('"Sales"');
    expect(answer.scopeDescription).toBe('members of the group "arsen" (nested groups included)');
  });

  it('synced, with when in words a person reads (the run stays in the record), and the scope group that holds them', () => {
    const answer = explain('ann@contoso.com', [ann], arsen, { groups: [{ id: 'g-nested', displayName: 'Nested' }, arsenGroup], stored: active });
    expect(answer).toMatchObject({ verdict: 'synced', groups: [arsenGroup] });
    expect(answer.message).toContain('Last synced 2026-03-01 10:00 UTC.');
    expect(answer.message).not.toContain('run-7');
    expect(explain('ann@contoso.com', [ann], everyone, { stored: active }).verdict).toBe('synced');
  });

  it('not synced yet, for someone eligible with no record or an inactive one', () => {
    expect(explain('ann@contoso.com', [ann]).verdict).toBe('not_synced_yet');
    const inactive = explain('ann@contoso.com', [ann], everyone, { stored: { ...active, status: 'inactive' } });
    expect(inactive.verdict).toBe('not_synced_yet');
    expect(inactive.message).toContain('reactivates');
  });

  it('reads groups only for one eligible person in a group scope', () => {
    expect(needsGroupsOf(chooseCandidate('ann@contoso.com', [ann]), arsen)).toBe(true);
    expect(needsGroupsOf(chooseCandidate('ann@contoso.com', [ann]), everyone)).toBe(false);
    expect(needsGroupsOf(chooseCandidate('ann@contoso.com', [{ ...ann, accountEnabled: false }]), arsen)).toBe(false);
    expect(needsGroupsOf(chooseCandidate('ann', [ann, anna]), arsen)).toBe(false);
  });
});
