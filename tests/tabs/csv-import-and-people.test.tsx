import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CsvImportPreview } from '@users-sync/api/contract';
import { CsvImportPage } from '@users-sync/tabs/screens/csv-import/csv-import-page';
import { PeoplePage } from '@users-sync/tabs/screens/people/people-page';
import { FakeApi, me, problem, renderWithApi, run } from './support/fake-api';

const preview = (overrides: Partial<CsvImportPreview> = {}): CsvImportPreview => ({
  id: 'preview-1',
  fileName: 'staff.csv',
  rows: 3,
  delimiter: ';',
  columns: [{ header: 'E-mail', field: 'email' }],
  ignoredColumns: ['Favourite colour'],
  missing: 'keep',
  errors: [],
  errorCount: 0,
  counts: { created: 2, updated: 1, reactivated: 0, deactivated: 0, unchanged: 0 },
  changes: { created: [], updated: [], reactivated: [], deactivated: [] },
  truncated: false,
  canApply: true,
  expiresAt: '2026-12-02T10:00:00.000Z',
  ...overrides,
});

const csvFile = () => new File(['E-mail;Given name\nada@contoso.com;Ada\n'], 'staff.csv', { type: 'text/csv' });

describe('the CSV import wizard', () => {
  it('uploads the file as bytes, previews what would change, then applies it and shows the result', async () => {
    const api = new FakeApi()
      .on('previewCsvImport', { status: 201, body: preview() })
      .on('applyCsvImport', { body: { run: run({ trigger: 'csv', counts: { created: 2, updated: 1, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 0 } }) } });
    renderWithApi(<CsvImportPage />, api);
    await userEvent.upload(screen.getByTestId('csv-file'), csvFile());
    expect((await screen.findByTestId('preview-counts')).textContent).toBe('3 rows · 2 to create · 1 to update · 0 to reactivate · 0 to deactivate · 0 unchanged');
    expect(screen.getByText('Columns not imported: Favourite colour.')).toBeTruthy();
    const call = api.callsTo('previewCsvImport')[0]!;
    expect(call.query.get('missing')).toBe('keep');
    expect(call.query.get('fileName')).toBe('staff.csv');
    await userEvent.click(screen.getByRole('button', { name: 'Apply 3 changes' }));
    expect(await screen.findByText('Import applied')).toBeTruthy();
    expect(api.callsTo('applyCsvImport')[0]!.params.previewId).toBe('preview-1');
  });

  it('lists the rows to fix with their line, and offers no way to apply a file with errors', async () => {
    const api = new FakeApi().on('previewCsvImport', {
      status: 201,
      body: preview({
        canApply: false,
        errorCount: 2,
        errors: [
          { line: 2, email: 'not-an-email', column: 'E-mail', code: 'EMAIL_INVALID', message: '"not-an-email" is not an email address.' },
          { line: 4, email: 'dup@contoso.com', column: 'E-mail', code: 'EMAIL_DUPLICATE', message: 'dup@contoso.com is already on line 3: keep one row per person.' },
        ],
      }),
    });
    renderWithApi(<CsvImportPage />, api);
    await userEvent.upload(screen.getByTestId('csv-file'), csvFile());
    const rows = await screen.findByRole('table', { name: 'Rows to fix' });
    expect(within(rows).getAllByRole('row').slice(1).map((row) => row.textContent)).toEqual([
      '2not-an-emailE-mail: "not-an-email" is not an email address.',
      '4dup@contoso.comE-mail: dup@contoso.com is already on line 3: keep one row per person.',
    ]);
    expect(screen.getByText('2 rows to fix')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /^Apply/ })).toBeNull();
  });

  it('previews again when the admin chooses that people missing from the file leave', async () => {
    const api = new FakeApi().on('previewCsvImport', ({ query }) => ({ status: 201, body: preview({ missing: query.get('missing') as 'keep', counts: { created: 2, updated: 1, reactivated: 0, deactivated: query.get('missing') === 'deactivate' ? 4 : 0, unchanged: 0 } }) }));
    renderWithApi(<CsvImportPage />, api);
    await userEvent.upload(screen.getByTestId('csv-file'), csvFile());
    await screen.findByTestId('preview-counts');
    await userEvent.click(screen.getByRole('radio', { name: /Leave/ }));
    await waitFor(() => expect(screen.getByTestId('preview-counts').textContent).toContain('4 to deactivate'));
    expect(api.callsTo('previewCsvImport').map((c) => c.query.get('missing'))).toEqual(['keep', 'deactivate']);
  });

  it('says what to do when the directory changed since the preview', async () => {
    const api = new FakeApi()
      .on('previewCsvImport', { status: 201, body: preview() })
      .on('applyCsvImport', problem(409, 'CSV_PREVIEW_STALE', 'The directory changed since this preview (a sync ran, or someone else imported). Preview the file again to see what applying it would do now.'));
    renderWithApi(<CsvImportPage />, api);
    await userEvent.upload(screen.getByTestId('csv-file'), csvFile());
    await userEvent.click(await screen.findByRole('button', { name: 'Apply 3 changes' }));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText(/Preview the file again/)).toBeTruthy();
    expect(within(alert).getByTestId('problem-code').textContent).toContain('CSV_PREVIEW_STALE');
  });

  it('refuses a file that is not UTF-8 with the api’s message', async () => {
    const api = new FakeApi().on('previewCsvImport', problem(422, 'CSV_NOT_UTF8', 'The file is not UTF-8 text (line 3 has bytes that are not). Save it as "CSV UTF-8" and upload it again.'));
    renderWithApi(<CsvImportPage />, api);
    await userEvent.upload(screen.getByTestId('csv-file'), csvFile());
    expect(await screen.findByText(/Save it as "CSV UTF-8"/)).toBeTruthy();
    expect(screen.getByText('The file could not be read')).toBeTruthy();
  });
});

const people = [
  { id: 'oid-1', name: 'Ada Admin', email: 'ada@contoso.com', role: 'owner' as const, grantedBy: 'created_the_account' as const, invited: false, since: '2026-12-01T10:00:00.000Z' },
  { id: 'oid-2', name: 'Grace Global', email: 'grace@contoso.com', role: 'admin' as const, grantedBy: 'microsoft_admin' as const, invited: false, since: '2026-12-01T11:00:00.000Z' },
  { id: 'invited:ines@contoso.com', name: 'ines@contoso.com', email: 'ines@contoso.com', role: 'admin' as const, grantedBy: 'added_by_owner' as const, invited: true, since: '2026-12-01T12:00:00.000Z' },
];

describe('the People screen', () => {
  it('shows who is owner and admin and how each got there', async () => {
    renderWithApi(<PeoplePage />, new FakeApi().on('listAccountPeople', { body: { people } }));
    const table = await screen.findByRole('table', { name: 'Owner and admins' });
    expect(within(table).getAllByRole('row').slice(1).map((row) => row.textContent)).toEqual([
      'Ada Admin (ada@contoso.com)OwnerCreated the account',
      'Grace Global (grace@contoso.com)AdminSigned in as a Microsoft adminRemove',
      'ines@contoso.comAdminAdded by the owner — joins at first sign-inRemove',
    ]);
  });

  it('lets the owner add an admin by email and remove one', async () => {
    let list = people.slice(0, 2);
    const api = new FakeApi()
      .on('listAccountPeople', () => ({ body: { people: list } }))
      .on('addAccountAdmin', ({ body }) => {
        list = [...list, { ...people[2]!, email: (body as { email: string }).email }];
        return { body: { people: list } };
      })
      .on('removeAccountAdmin', ({ params }) => {
        list = list.filter((p) => p.id !== params.personId);
        return { body: { people: list } };
      });
    renderWithApi(<PeoplePage />, api);
    await screen.findByRole('table', { name: 'Owner and admins' });
    await userEvent.type(screen.getByLabelText('Email'), 'ines@contoso.com');
    await userEvent.click(screen.getByRole('button', { name: 'Add admin' }));
    expect(await screen.findByText('Added by the owner — joins at first sign-in')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Remove grace@contoso.com' }));
    await waitFor(() => expect(screen.queryByText('Grace Global (grace@contoso.com)')).toBeNull());
  });

  it('shows an admin the people without the owner’s controls', async () => {
    renderWithApi(<PeoplePage />, new FakeApi().on('listAccountPeople', { body: { people } }), { me: me({ role: 'admin' }) });
    await screen.findByRole('table', { name: 'Owner and admins' });
    expect(screen.queryByRole('button', { name: 'Add admin' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Remove/ })).toBeNull();
  });
});
