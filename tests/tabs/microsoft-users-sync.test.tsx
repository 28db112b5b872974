import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MicrosoftSyncContent } from '@users-sync/tabs/screens/microsoft/microsoft-sync-page';
import { FakeApi, me, problem, renderWithApi, run, sseOf } from './support/fake-api';
import { configuration, connected, notConnected } from './support/fixtures';

const report = { counts: run().counts, created: [{ entraObjectId: 'u1', email: 'ann@contoso.com', displayName: 'Ann Lee' }], updated: [], deactivated: [], reactivated: [], skipped: [{ entraObjectId: 'u2', email: null, displayName: 'Reception', reason: 'No usable email' }, { entraObjectId: 'u3', email: null, displayName: 'Scanner', reason: 'No usable email' }], truncated: false };

function drawerApi(connection = connected) {
  return new FakeApi()
    .on('connection', { body: connection })
    .on('getConfiguration', { body: configuration() })
    .on('listRuns', { body: { runs: [], nextCursor: null } })
    .on('getRunReport', { body: report });
}

afterEach(() => window.history.replaceState(null, '', '/'));

describe('Microsoft Users Sync', () => {
  it('explains the five permissions and offers Connect to Microsoft 365, which goes to the admin-consent page', async () => {
    const api = drawerApi(notConnected).on('startConsent', { body: { consentUrl: 'https://login.example/adminconsent?client_id=x', expiresAt: '2026-12-02T10:10:00.000Z' } });
    renderWithApi(<MicrosoftSyncContent />, api);
    const permissions = await screen.findByRole('list', { name: 'Permissions requested' });
    expect(within(permissions).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'Directory.Read.All — Read directory data (users, groups)',
      'User.Read — Sign in and read user profile',
      'User.Read.All — Read all user profiles',
      'Group.Read.All — Read properties of all groups',
      'GroupMember.Read.All — Read membership of all groups',
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Connect to Microsoft 365' }));
    // jsdom cannot leave the page; the browser end-to-end test follows the redirect for real.
    await waitFor(() => expect(api.callsTo('startConsent')).toHaveLength(1));
    expect(screen.getByRole('button', { name: 'Connect to Microsoft 365' })).toHaveProperty('disabled', true);
  });

  it.each([
    ['connected', /Users Sync is now connected to your Entra ID directory/],
    ['declined', /The permissions were not accepted/],
    ['failed', /The connection could not be completed/],
  ])('says what the consent page answered (%s) and what to do next', async (outcome, text) => {
    window.history.replaceState(null, '', `/?consent=${outcome}&message=AADSTS65004%3A+User+declined`);
    renderWithApi(<MicrosoftSyncContent />, drawerApi(outcome === 'connected' ? connected : notConnected));
    expect(await screen.findByText(text)).toBeTruthy();
    // The answer is read once and taken out of the address bar, so a reload does not repeat it.
    expect(window.location.search).toBe('');
  });

  it('asks to reconnect when the consent was revoked in Microsoft 365', async () => {
    renderWithApi(<MicrosoftSyncContent />, drawerApi({ ...connected, status: 'consent_revoked' }));
    expect(await screen.findByText('Access was revoked in Microsoft 365')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reconnect to Microsoft 365' })).toBeTruthy();
  });

  it('lets only the owner disconnect', async () => {
    renderWithApi(<MicrosoftSyncContent />, drawerApi(), { me: me({ role: 'admin' }) });
    expect(await screen.findByTestId('connected-tenant')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Disconnect' })).toBeNull();
  });

  it('shows the two notes of the guide under the scope choices', async () => {
    renderWithApi(<MicrosoftSyncContent />, drawerApi());
    expect(await screen.findByText('Only active users are synchronized.')).toBeTruthy();
    expect(screen.getByText('Nested groups are supported.')).toBeTruthy();
    expect(screen.getByText('The process may take a few minutes.')).toBeTruthy();
  });

  it('saves the arsen scope, then follows the sync it started to its result', async () => {
    const started = run({ id: 'run-9', trigger: 'scope_change', status: 'running', progress: { phase: 'reading_users', usersRead: 0, pages: 0, graphRequests: 1 }, finishedAt: null, durationMs: null });
    const api = drawerApi()
      .on('saveConfiguration', ({ body }) => ({ body: { configuration: body, run: started } }))
      .on('runEvents', {
        stream: sseOf(
          { type: 'progress', run: { ...started, progress: { phase: 'reading_users', usersRead: 40, pages: 1, graphRequests: 2 } } },
          { type: 'finished', run: run({ id: 'run-9', trigger: 'scope_change' }) },
        ),
      });
    renderWithApi(<MicrosoftSyncContent />, api);
    await userEvent.click(await screen.findByLabelText(/All users in a group named/));
    await userEvent.click(screen.getByRole('button', { name: 'Save changes and sync users' }));

    expect(api.callsTo('saveConfiguration')[0]!.body).toMatchObject({ scope: { kind: 'group_name', groupName: 'arsen' } });
    const panel = await screen.findByTestId('run-panel');
    await waitFor(() => expect(panel.getAttribute('data-run-status')).toBe('succeeded'));
    expect(within(panel).getByTestId('run-outcome').textContent).toMatch(/up to date with Microsoft Entra ID/);
    expect(await within(panel).findByText('88')).toBeTruthy();
    expect(api.callsTo('runEvents')[0]!.authorization).toBe('Bearer test-token');
    await userEvent.click(within(panel).getByRole('button', { name: /Skipped \(2\)/ }));
    expect(within(panel).getAllByText(/No usable email/)).toHaveLength(2);
  });

  it('says so when a sync was already running, instead of starting a second one', async () => {
    const running = run({ id: 'run-1', trigger: 'schedule', status: 'running', finishedAt: null, durationMs: null });
    const api = drawerApi()
      .on('saveConfiguration', ({ body }) => ({ body: { configuration: body, run: running } }))
      .on('runEvents', { stream: sseOf({ type: 'progress', run: running }) })
      .on('getRun', { body: running });
    renderWithApi(<MicrosoftSyncContent />, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Save changes and sync users' }));
    expect(await screen.findByText(/A sync was already running/)).toBeTruthy();
    expect(await screen.findByTestId('run-phase')).toBeTruthy();
  });

  it("shows the api's refusal next to the field it concerns and keeps what was typed", async () => {
    const api = drawerApi().on('saveConfiguration', problem(400, 'INVALID_BODY', 'Check the highlighted fields.', { 'scope.groupIds': 'Choose at least one group' }));
    api.on('searchGroups', { body: { groups: [], nextCursor: null } });
    renderWithApi(<MicrosoftSyncContent />, api);
    await userEvent.click(await screen.findByLabelText(/Users from one or several Entra groups/));
    await userEvent.click(screen.getByRole('button', { name: 'Save changes and sync users' }));
    expect(await screen.findByText('Choose at least one group')).toBeTruthy();
    expect(screen.getByText(/Check the highlighted fields/)).toBeTruthy();
    expect((screen.getByLabelText(/Users from one or several Entra groups/) as HTMLInputElement).checked).toBe(true);
  });

  it('explains an arsen group the tenant has twice, as the sync reported it', async () => {
    const failed = run({ status: 'failed', error: { code: 'GROUP_NAME_AMBIGUOUS', message: 'Two groups are named "arsen". Rename one in Entra ID, or choose the groups by hand.' } });
    const api = drawerApi().on('saveConfiguration', ({ body }) => ({ body: { configuration: body, run: failed } }));
    renderWithApi(<MicrosoftSyncContent />, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Save changes and sync users' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Two groups are named "arsen".*GROUP_NAME_AMBIGUOUS/);
  });

  it('previews what the next sync would change without changing anything', async () => {
    const preview = run({ id: 'run-p', dryRun: true });
    const api = drawerApi().on('startRun', ({ body }) => ({ body: { ...preview, dryRun: (body as { dryRun: boolean }).dryRun } }));
    renderWithApi(<MicrosoftSyncContent />, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Preview changes' }));
    expect(api.callsTo('startRun')[0]!.body).toEqual({ dryRun: true });
    expect(await screen.findByText(/Preview: nothing was changed/)).toBeTruthy();
    expect(await screen.findByText('Would be created')).toBeTruthy();
  });

  it('names a chosen group that the first page of groups does not list, and says when it was deleted', async () => {
    const group = (id: string, displayName: string) => ({ id, displayName, description: null, memberCount: 3 });
    const api = drawerApi()
      .on('getConfiguration', { body: configuration({ scope: { kind: 'groups', groupIds: ['g-far', 'g-gone'] } }) })
      .on('searchGroups', ({ query }) => ({
        body: query.get('ids')
          ? { groups: [group('g-far', 'Zeta far down the list'), { ...group('g-gone', 'Deleted group (no longer in Entra ID)'), memberCount: null }], nextCursor: null }
          : { groups: [group('g-1', 'Alpha')], nextCursor: 'more' },
      }));
    renderWithApi(<MicrosoftSyncContent />, api);
    expect(await screen.findByText('Zeta far down the list')).toBeTruthy();
    expect(screen.getByText('Deleted group (no longer in Entra ID)')).toBeTruthy();
    expect(api.callsTo('searchGroups').map((c) => c.query.get('ids')).filter(Boolean)).toEqual(['g-far,g-gone']);
  });

  it('previews the settings in the form before they are saved, and says nothing was saved', async () => {
    const preview = run({ id: 'run-u', dryRun: true, unsavedSettings: true });
    const api = drawerApi().on('startRun', { body: preview });
    renderWithApi(<MicrosoftSyncContent />, api);
    await userEvent.click(await screen.findByRole('radio', { name: /All users in a group named/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    await waitFor(() => expect(api.callsTo('startRun')).toHaveLength(1));
    expect(api.callsTo('startRun')[0]!.body).toMatchObject({ dryRun: true, configuration: { scope: { kind: 'group_name', groupName: 'arsen' } } });
    expect(await screen.findByText(/This previews the settings above, which are not saved yet/)).toBeTruthy();
    expect(await screen.findByText(/Preview of settings not saved yet: nothing was changed/)).toBeTruthy();
    expect(api.callsTo('saveConfiguration')).toHaveLength(0);
  });
});
