import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Employee } from '@users-sync/api/contract';
import { EmployeesPage } from '@users-sync/tabs/screens/employees/employees-page';
import { HeldRunBanner } from '@users-sync/tabs/screens/microsoft/held-run-banner';
import { SomeoneMissing } from '@users-sync/tabs/screens/someone-missing/someone-missing';
import { FakeApi, renderWithApi, run } from './support/fake-api';

const ann: Employee = {
  id: 'e1', email: 'ann.lee@contoso.com', displayName: 'Ann Lee', firstName: 'Ann', lastName: 'Lee', department: 'Sales', jobTitle: 'Account Executive', office: null, city: null, country: null,
  preferredLanguage: null, employeeId: null, company: 'Contoso', managerEmail: null, source: 'microsoft', status: 'active', firstSeenAt: '2026-12-01T10:00:00.000Z', lastSyncedAt: '2026-12-02T09:00:05.000Z', deactivatedAt: null,
};

describe('the employee list', () => {
  it('searches and filters through the api, and says when nobody matches', async () => {
    const api = new FakeApi().on('listEmployees', ({ query }) => ({ body: query.get('status') === 'inactive' ? { employees: [], total: 0, nextCursor: null } : { employees: [ann], total: 1, nextCursor: null } }));
    renderWithApi(<EmployeesPage />, api);
    expect(await screen.findByRole('link', { name: 'Ann Lee' })).toBeTruthy();
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'inactive');
    expect(await screen.findByText('Nobody matches these filters.')).toBeTruthy();
    expect(api.callsTo('listEmployees').at(-1)!.query.get('status')).toBe('inactive');
  });

  it('tells a new organization how to fill the list', async () => {
    renderWithApi(<EmployeesPage />, new FakeApi().on('listEmployees', { body: { employees: [], total: 0, nextCursor: null } }));
    expect(await screen.findByText(/Connect Microsoft 365 in Microsoft Users Sync and run a sync/)).toBeTruthy();
  });
});

describe('the held-run banner', () => {
  // Review → Approve runs in the browser test (tests/e2e/admin-tab.test.ts): Fluent's dialog does not open in jsdom.
  it('says on every screen that a run waits for approval, and how many people it would deactivate', async () => {
    const held = run({ id: 'held-1', status: 'awaiting_approval', counts: { created: 0, updated: 0, deactivated: 40, reactivated: 0, unchanged: 50, skipped: 0 } });
    renderWithApi(<HeldRunBanner />, new FakeApi().on('listRuns', { body: { runs: [held], nextCursor: null } }));
    const banner = await screen.findByTestId('held-run-banner');
    expect(banner.textContent).toMatch(/A sync is waiting for your approval/);
    expect(banner.textContent).toMatch(/It would deactivate 40 people/);
    expect(within(banner).getByRole('button', { name: 'Review' })).toBeTruthy();
  });

  it('shows nothing when no run waits for approval', async () => {
    const api = new FakeApi().on('listRuns', { body: { runs: [run()], nextCursor: null } });
    const { container } = renderWithApi(<HeldRunBanner />, api);
    await waitFor(() => expect(api.callsTo('listRuns')).toHaveLength(1));
    expect(container.querySelector('[data-testid="held-run-banner"]')).toBeNull();
  });
});

describe('Someone missing?', () => {
  it('explains that a person is outside the chosen groups, and which groups they are in', async () => {
    const api = new FakeApi().on('whyInDirectory', ({ query }) => ({
      body: {
        query: query.get('query'), verdict: 'outside_scope', message: 'Nora is not in the group arsen or the groups nested in it. Add her to arsen, or change the scope.',
        person: { entraObjectId: 'u9', displayName: 'Nora Cloudapp', email: 'nora@contoso.com', userPrincipalName: 'nora@contoso.com', accountEnabled: true, userType: 'Member' },
        matches: [], moreMatches: false, scope: { kind: 'group_name', description: 'the group named arsen' }, groups: [{ id: 'g1', displayName: 'IT' }], exclusion: null, employee: null,
      },
    }));
    renderWithApi(<SomeoneMissing />, api);
    await userEvent.type(screen.getByLabelText('Email or name'), 'nora@contoso.com');
    await userEvent.click(screen.getByRole('button', { name: 'Find out' }));
    const answer = await screen.findByTestId('presence-answer');
    expect(answer.getAttribute('data-verdict')).toBe('outside_scope');
    expect(answer.textContent).toMatch(/Outside the synchronized users/);
    expect(answer.textContent).toMatch(/Their groups: IT/);
    expect(api.callsTo('whyInDirectory')[0]!.query.get('query')).toBe('nora@contoso.com');
  });
});
