import { FluentProvider, teamsLightTheme } from '@fluentui/react-components';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { OnboardingConsole, OnboardingLink } from '@users-sync/api/contract';
import { OnboardingConsoleScreen } from '@users-sync/tabs/onboarding-console/onboarding-console';
import { ShareOnboardingLink } from '@users-sync/tabs/screens/onboarding/share-onboarding-link';
import type { SignInState } from '@users-sync/tabs/sign-in/session';
import { FakeApi, problem, renderWithApi, run, sseOf } from './support/fake-api';
import { configuration, connected, notConnected } from './support/fixtures';

const link = (overrides: Partial<OnboardingLink> = {}): OnboardingLink => ({
  id: 'link-1',
  email: 'it.admin@contoso.com',
  state: 'pending',
  createdBy: { name: 'Olivia Owner', email: 'olivia@contoso.com' },
  createdAt: '2026-12-02T09:00:00.000Z',
  expiresAt: '2026-12-17T09:00:00.000Z',
  openedAt: null,
  signedInEmail: null,
  consentedAt: null,
  completedAt: null,
  revokedAt: null,
  revokedBy: null,
  delivery: { status: 'not_delivered', reason: 'Users Sync cannot send messages in Teams here.', at: '2026-12-02T09:00:00.000Z' },
  ...overrides,
});

// jsdom runs no CSS motion, so Fluent's dialog surface stays out of the accessibility tree: it is queried with `hidden`.
describe('the Share Onboarding Link dialog', () => {
  it('generates a link for the Microsoft admin’s email, shows it once with a copy button, and says to send it when Teams could not', async () => {
    const api = new FakeApi()
      .on('listOnboardingLinks', { body: { links: [] } })
      .on('createOnboardingLink', { body: { link: link(), url: 'http://localhost:3000/onboarding#s3cret' } });
    renderWithApi(<ShareOnboardingLink />, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Share Onboarding Link' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    await userEvent.type(within(dialog).getByLabelText(/Microsoft admin’s email/), 'it.admin@contoso.com');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Generate Link', hidden: true }));
    expect(await within(dialog).findByDisplayValue('http://localhost:3000/onboarding#s3cret')).toBeTruthy();
    expect(within(dialog).getByText(/Copy the link and send it yourself to it.admin@contoso.com/)).toBeTruthy();
    expect(api.callsTo('createOnboardingLink')[0]!.body).toEqual({ email: 'it.admin@contoso.com' });
  });

  it('says the link was sent in Teams when the bot delivered it', async () => {
    const api = new FakeApi()
      .on('listOnboardingLinks', { body: { links: [] } })
      .on('createOnboardingLink', { body: { link: link({ delivery: { status: 'delivered', reason: null, at: '2026-12-02T09:00:01.000Z' } }), url: 'http://localhost:3000/onboarding#s3cret' } });
    renderWithApi(<ShareOnboardingLink />, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Share Onboarding Link' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    await userEvent.type(within(dialog).getByLabelText(/Microsoft admin’s email/), 'it.admin@contoso.com');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Generate Link', hidden: true }));
    expect(await within(dialog).findByText(/Sent to it.admin@contoso.com in Teams/)).toBeTruthy();
  });

  it('shows the api’s refusal next to the email field', async () => {
    const api = new FakeApi()
      .on('listOnboardingLinks', { body: { links: [] } })
      .on('createOnboardingLink', problem(422, 'VALIDATION_FAILED', 'Some values are not valid.', { email: 'Enter the Microsoft admin’s email address, like name@company.com.' }));
    renderWithApi(<ShareOnboardingLink />, api);
    await userEvent.click(await screen.findByRole('button', { name: 'Share Onboarding Link' }));
    const dialog = await screen.findByRole('dialog', { hidden: true });
    await userEvent.type(within(dialog).getByLabelText(/Microsoft admin’s email/), 'not an email');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Generate Link', hidden: true }));
    expect(await within(dialog).findByText('Enter the Microsoft admin’s email address, like name@company.com.')).toBeTruthy();
  });

  it('lists the links with their state and who shared them, and revokes an open one', async () => {
    let links = [link({ id: 'a', state: 'opened' }), link({ id: 'b', email: 'old@contoso.com', state: 'expired' })];
    const api = new FakeApi()
      .on('listOnboardingLinks', () => ({ body: { links } }))
      .on('revokeOnboardingLink', ({ params }) => {
        links = links.map((l) => (l.id === params.linkId ? { ...l, state: 'revoked' as const } : l));
        return { body: links[0] };
      });
    renderWithApi(<ShareOnboardingLink />, api);
    const opened = await screen.findByTestId('onboarding-link-a');
    expect(within(opened).getByText('Opened')).toBeTruthy();
    expect(within(opened).getByText('Olivia Owner')).toBeTruthy();
    expect(within(screen.getByTestId('onboarding-link-b')).queryByRole('button', { name: /Revoke/ })).toBeNull();
    await userEvent.click(within(opened).getByRole('button', { name: 'Revoke the link for it.admin@contoso.com' }));
    await waitFor(() => expect(within(screen.getByTestId('onboarding-link-a')).getByText('Revoked')).toBeTruthy());
  });
});

const consoleView = (overrides: Partial<OnboardingConsole> = {}): OnboardingConsole => ({
  organization: { name: 'Contoso', tenantId: 'tenant-1' },
  link: { email: 'it.admin@contoso.com', expiresAt: '2026-12-17T09:00:00.000Z', state: 'opened' },
  mode: 'setup',
  microsoftAccount: null,
  connection: notConnected,
  runIds: [],
  contact: { name: 'Olivia Owner', email: 'olivia@contoso.com' },
  ...overrides,
});

function renderConsole(api: FakeApi, signIn: SignInState = { kind: 'signed-out', signIn: async () => undefined }) {
  globalThis.fetch = api.fetch as typeof fetch;
  return render(
    <FluentProvider theme={teamsLightTheme}>
      <OnboardingConsoleScreen storage={window.sessionStorage} microsoftSignIn={async () => signIn} />
    </FluentProvider>,
  );
}

describe('the limited console an onboarding link opens', () => {
  beforeEach(() => {
    window.sessionStorage.clear();
    window.history.replaceState(null, '', '/onboarding#the-secret');
  });
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('opens from the secret in the address, takes it off the address bar, and asks for a Microsoft sign-in first', async () => {
    const api = new FakeApi().on('openOnboardingConsole', { status: 201, body: { sessionToken: 'session-1', expiresAt: '2026-12-02T10:00:00.000Z' } }).on('onboardingConsole', { body: consoleView() });
    renderConsole(api);
    expect(await screen.findByText(/asked you to connect/)).toBeTruthy();
    expect(api.callsTo('openOnboardingConsole')[0]!.body).toEqual({ token: 'the-secret' });
    expect(api.callsTo('onboardingConsole')[0]!.authorization).toBe('Onboarding session-1');
    expect(window.location.hash).toBe('');
    expect(await screen.findByRole('button', { name: 'Sign in with Microsoft' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Connect to Microsoft 365' })).toBeNull();
  });

  it('hands the Microsoft sign-in to the api and says why another organization’s account cannot do the setup', async () => {
    const api = new FakeApi()
      .on('openOnboardingConsole', { status: 201, body: { sessionToken: 'session-1', expiresAt: '2026-12-02T10:00:00.000Z' } })
      .on('onboardingConsole', { body: consoleView() })
      .on('onboardingSignIn', problem(403, 'ONBOARDING_WRONG_TENANT', 'You signed in with an account of another Microsoft 365 organization than the one Users Sync is connected to. Sign in with your work account of that organization, or ask Olivia Owner (olivia@contoso.com).'));
    renderConsole(api, { kind: 'signed-in', session: { host: 'browser', account: { name: 'Eve', username: 'eve@fabrikam.com' }, token: async () => 'entra-token' } });
    expect(await screen.findByText(/another Microsoft 365 organization/)).toBeTruthy();
    expect(api.callsTo('onboardingSignIn')[0]!.body).toEqual({ accessToken: 'entra-token' });
  });

  it('walks the signed-in admin through consent, scope and "Save changes and sync users" to the result', async () => {
    const running = run({ id: 'run-9', trigger: 'scope_change', status: 'running', finishedAt: null, durationMs: null });
    const api = new FakeApi()
      .on('openOnboardingConsole', { status: 201, body: { sessionToken: 'session-1', expiresAt: '2026-12-02T10:00:00.000Z' } })
      .on('onboardingConsole', { body: consoleView({ microsoftAccount: { name: 'Ivan Admin', email: 'it.admin@contoso.com', tenantId: 'tenant-1' }, connection: connected }) })
      .on('getConfiguration', { body: configuration() })
      .on('saveConfiguration', { body: { configuration: configuration(), run: running } })
      .on('runEvents', { stream: sseOf({ type: 'finished', run: run({ id: 'run-9', trigger: 'scope_change' }) }) })
      .on('getRunReport', { body: { counts: run().counts, created: [], updated: [], deactivated: [], reactivated: [], skipped: [], truncated: false } });
    renderConsole(api);
    expect(await screen.findByText(/Ivan Admin \(it.admin@contoso.com\)/)).toBeTruthy();
    expect(screen.getByText('Connected')).toBeTruthy();
    await userEvent.click(await screen.findByRole('button', { name: 'Save changes and sync users' }));
    await waitFor(() => expect(screen.getByTestId('run-panel').getAttribute('data-run-status')).toBe('succeeded'));
    expect(api.callsTo('saveConfiguration')[0]!.authorization).toBe('Onboarding session-1');
  });

  it('is read-only once the setup is done', async () => {
    const api = new FakeApi()
      .on('openOnboardingConsole', { status: 201, body: { sessionToken: 'session-1', expiresAt: '2026-12-02T10:00:00.000Z' } })
      .on('onboardingConsole', { body: consoleView({ mode: 'read_only', runIds: ['run-1'], microsoftAccount: { name: 'Ivan Admin', email: 'it.admin@contoso.com', tenantId: 'tenant-1' }, connection: connected, link: { email: 'it.admin@contoso.com', expiresAt: '2026-12-17T09:00:00.000Z', state: 'completed' } }) })
      .on('getConfiguration', { body: configuration() })
      .on('getRun', { body: run() })
      .on('getRunReport', { body: { counts: run().counts, created: [], updated: [], deactivated: [], reactivated: [], skipped: [], truncated: false } });
    renderConsole(api);
    expect(await screen.findByText('The setup is done')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save changes and sync users' })).toBeNull();
    expect(await screen.findByTestId('run-panel')).toBeTruthy();
  });

  it.each([
    ['revoked', 410, 'ONBOARDING_LINK_REVOKED', 'This onboarding link was revoked. Ask Olivia Owner (olivia@contoso.com) for a new one.', 'This onboarding link was revoked'],
    ['expired', 410, 'ONBOARDING_LINK_EXPIRED', 'This onboarding link expired on 2026-12-17. Ask Olivia Owner (olivia@contoso.com) for a new one.', 'This onboarding link has expired'],
  ] as const)('explains a %s link and whom to ask, never a stack trace', async (state, status, code, detail, title) => {
    const api = new FakeApi()
      .on('openOnboardingConsole', problem(status, code, detail))
      .on('describeOnboardingLink', { body: { state, organizationName: 'Contoso', email: 'it.admin@contoso.com', expiresAt: '2026-12-17T09:00:00.000Z', contact: { name: 'Olivia Owner', email: 'olivia@contoso.com' }, message: detail } });
    renderConsole(api);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(title)).toBeTruthy();
    expect(screen.getByTestId('contact').textContent).toBe('Ask Olivia Owner (olivia@contoso.com) for a new link to Contoso.');
    expect(screen.getByRole('link', { name: 'olivia@contoso.com' }).getAttribute('href')).toBe('mailto:olivia@contoso.com');
  });

  it('says to ask whoever sent an unknown link', async () => {
    const api = new FakeApi()
      .on('openOnboardingConsole', problem(404, 'ONBOARDING_LINK_UNKNOWN', 'This onboarding link is not known to Users Sync.'))
      .on('describeOnboardingLink', { body: { state: 'unknown', organizationName: null, email: null, expiresAt: null, contact: null, message: 'This onboarding link is not known to Users Sync: it may have been mistyped or cut. Ask the person who sent it to share it again.' } });
    renderConsole(api);
    expect(await screen.findByText(/Ask the person who sent it/)).toBeTruthy();
    expect(screen.queryByTestId('contact')).toBeNull();
  });
});
