import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Dashboard } from '@users-sync/tabs/screens/dashboard/dashboard';
import { FakeApi, me, problem, renderWithApi, run } from './support/fake-api';
import { configuration, connected, notConnected } from './support/fixtures';

function dashboardApi(overrides: { connection?: typeof connected } = {}) {
  const connection = overrides.connection ?? connected;
  return new FakeApi()
    .on('dashboard', {
      body: {
        employees: { active: 88, inactive: 3, bySource: { microsoft: { active: 88, inactive: 3 }, csv: { active: 0, inactive: 0 }, manual: { active: 0, inactive: 0 } } },
        connection: { status: connection.status, tenantName: connection.tenantName },
        lastRun: run(),
        runningRun: null,
        nextScheduledSyncAt: connection.status === 'connected' ? '2026-12-02T10:00:05.000Z' : null,
        scheduleIntervalMinutes: 60,
      },
    })
    .on('getConfiguration', { body: configuration() });
}

describe('the dashboard', () => {
  it('shows active and inactive employees, where they come from, and the last sync', async () => {
    renderWithApi(<Dashboard />, dashboardApi());
    expect(await screen.findByTestId('active-employees')).toHaveProperty('textContent', '88');
    expect(screen.getByText('3')).toBeTruthy();
    expect(screen.getByText('91 from Microsoft 365')).toBeTruthy();
    expect(screen.getByText(/88 created · 0 updated · 0 deactivated · 2 skipped/)).toBeTruthy();
    expect(screen.getByTestId('next-sync').textContent).toMatch(/Next scheduled check/);
  });

  it('offers Microsoft Users Sync first, recommended, when the email provider is Microsoft', async () => {
    renderWithApi(<Dashboard />, dashboardApi({ connection: notConnected }));
    const integrations = await screen.findAllByRole('heading', { level: 3 });
    expect(integrations.map((h) => h.textContent)).toEqual(['Microsoft Users Sync', 'Add employees manually']);
    expect(screen.getByText(/Recommended: your email is on Microsoft 365/)).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Set up Microsoft Users Sync' })).toBeTruthy();
  });

  it('puts the CSV import first for an organization on Google Workspace', async () => {
    const google = me();
    google.organization.providerDetection = { provider: 'google', domain: 'contoso.com', detectedAt: '2026-12-01T10:00:00.000Z' };
    renderWithApi(<Dashboard />, dashboardApi(), { me: google });
    const integrations = await screen.findAllByRole('heading', { level: 3 });
    expect(integrations.map((h) => h.textContent)).toEqual(['Add employees manually', 'Microsoft Users Sync']);
  });

  it("says what went wrong and offers to try again when the api can't answer", async () => {
    const api = dashboardApi().on('dashboard', problem(503, 'DATABASE_UNAVAILABLE', 'The database is not answering. Try again in a minute.'));
    renderWithApi(<Dashboard />, api);
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(/The database is not answering/)).toBeTruthy();
    expect(within(alert).getByTestId('problem-code').textContent).toContain('DATABASE_UNAVAILABLE');
    const firstRun = dashboardApi().fetch;
    api.on('dashboard', async () => ({ body: { ...(await (await firstRun('/api/dashboard')).json()), lastRun: null } }));
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(/No sync yet/)).toBeTruthy();
  });

});
