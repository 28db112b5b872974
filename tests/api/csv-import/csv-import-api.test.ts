import { ApiHarness, type ApiAnswer } from '../http/api-harness';

type RowError = { line: number; email: string | null; column: string | null; code: string; message: string };
type Counts = { created: number; updated: number; reactivated: number; deactivated: number; unchanged: number };
type Preview = { id: string; rows: number; delimiter: string; columns: Array<{ header: string; field: string }>; ignoredColumns: string[]; errors: RowError[]; errorCount: number; counts: Counts; changes: { updated: Array<{ email: string; changedFields: string[] }> }; canApply: boolean };
type Run = { id: string; trigger: string; status: string; counts: Counts & { skipped: number } };
type Problem = { code: string; detail: string };
type Employee = { id: string; email: string; displayName: string; firstName: string | null; department: string | null; managerEmail: string | null; office: string | null; source: string; status: string };

const BOM = '\uFEFF';

/** CSV import over real HTTP: upload, preview with per-row errors, apply all or nothing as a sync run. */
describe('CSV import', () => {
  let api: ApiHarness;
  let token: string;
  let microsoftEmployee: Employee;

  const upload = async <T>(route: string, body: Buffer | string, contentType = 'application/octet-stream'): Promise<ApiAnswer<T>> => {
    const res = await fetch(`${api.baseUrl}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body: new Uint8Array(typeof body === 'string' ? Buffer.from(body, 'utf8') : body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  const preview = (file: Buffer | string, missing: 'keep' | 'deactivate' = 'keep') => upload<Preview>(`/api/employees/import/previews?missing=${missing}`, file);
  const apply = (previewId: string, file: Buffer | string) => upload<{ run: Run }>(`/api/employees/import/previews/${previewId}/apply`, file);
  const employees = async (query = '') => (await api.call<{ employees: Employee[]; total: number }>('GET', `/api/employees?limit=200${query}`, { token })).body;
  const csvEmployees = async () => (await employees('&source=csv')).employees;

  beforeAll(async () => {
    api = await ApiHarness.start({ changeNotifications: false, tenant: { users: 12, groups: 1, disabledShare: 0, guestShare: 0, noMailboxShare: 0 } });
    token = await api.tokenFor(api.adminUpn);
    await api.consent(token, api.adminUpn);
    const run = await api.call<Run>('POST', '/api/sync/runs', { token, body: {} });
    expect((await api.settledRun<Run>(token, run.body.id)).status).toBe('succeeded');
    microsoftEmployee = (await employees('&source=microsoft')).employees[0]!;
  });
  afterAll(() => api.stop());

  it('offers a template with every column the import reads, which imports as it is', async () => {
    const res = await fetch(`${api.baseUrl}/api/employees/import/template.csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const template = Buffer.from(await res.arrayBuffer());
    expect(template.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(template.toString('utf8')).toContain('Email,First name,Last name,Display name,Department,Job title,Office,City,Country,Language,Employee ID,Company,Manager email,Status');
    const seen = await preview(template);
    expect(seen.body).toMatchObject({ canApply: true, counts: { created: 1 } });
    expect(seen.body.columns).toHaveLength(14);
  });

  it('previews a UTF-8 file with a BOM, semicolons, header aliases, quoted newlines and empty lines — and changes nothing until applied', async () => {
    const file = [
      `${BOM}E-mail;Given name;Surname;Department;Office;Manager email;Favourite colour`,
      'grace@contoso.example;Grace;Hopper;Engineering;"Building 1',
      'Floor 2";;blue',
      '',
      'alan@contoso.example;Alan;Turing;"Research; Theory";Bletchley;grace@contoso.example;green',
      '',
      'KATHERINE@contoso.example;Katherine;Johnson;Flight;;Grace@Contoso.example;',
    ].join('\r\n');
    const before = await employees();
    const seen = await preview(file);
    expect(seen.status).toBe(201);
    expect(seen.body).toMatchObject({ delimiter: ';', rows: 3, errorCount: 0, canApply: true, ignoredColumns: ['Favourite colour'], counts: { created: 3, updated: 0, deactivated: 0, unchanged: 0 } });
    expect(seen.body.columns.map((c) => c.field)).toEqual(['email', 'firstName', 'lastName', 'department', 'office', 'managerEmail']);
    expect((await employees()).total).toBe(before.total);

    const applied = await apply(seen.body.id, file);
    expect(applied.status).toBe(200);
    expect(applied.body.run).toMatchObject({ trigger: 'csv', status: 'succeeded', counts: { created: 3, updated: 0 } });
    const imported = await csvEmployees();
    expect(imported.map((e) => e.email).sort()).toEqual(['alan@contoso.example', 'grace@contoso.example', 'katherine@contoso.example']);
    const grace = imported.find((e) => e.email === 'grace@contoso.example')!;
    expect(grace).toMatchObject({ displayName: 'Grace Hopper', office: 'Building 1\r\nFloor 2', source: 'csv', status: 'active', managerEmail: null });
    expect(imported.find((e) => e.email === 'alan@contoso.example')).toMatchObject({ department: 'Research; Theory', managerEmail: 'grace@contoso.example' });
    // The run keeps the per-employee change log, like a sync.
    const alan = await api.call<{ employee: Employee }>('GET', `/api/employees/${imported.find((e) => e.email === 'alan@contoso.example')!.id}`, { token });
    expect(alan.body.employee.managerEmail).toBe('grace@contoso.example');
    const detail = await api.call<{ changes: Array<{ action: string; runId: string }> }>('GET', `/api/employees/${grace.id}`, { token });
    expect(detail.body.changes).toEqual([expect.objectContaining({ action: 'created', runId: applied.body.run.id })]);
    const history = await api.call<{ runs: Run[] }>('GET', '/api/sync/runs', { token });
    expect(history.body.runs[0]).toMatchObject({ id: applied.body.run.id, trigger: 'csv' });
  });

  it('lists every wrong row with its line and a clear reason, and refuses to apply any of the file', async () => {
    const file = [
      'Email,First name,Department,Manager email,Status',
      'not-an-email,Bad,Sales,,',
      'dup@contoso.example,First,Sales,,',
      'dup@contoso.example,Second,Sales,,',
      'orphan@contoso.example,Orphan,Sales,nobody@contoso.example,',
      `${microsoftEmployee.email},Someone,Changed department,,`,
      'formula@contoso.example,"=HYPERLINK(""http://evil.example"")",Sales,,',
      'control@contoso.example,Bell\u0007,Sales,,',
      `long@contoso.example,${'x'.repeat(300)},Sales,,`,
      'status@contoso.example,Status,Sales,,retired',
      ',No email,Sales,,',
      'fine@contoso.example,Fine,Sales,,',
    ].join('\n');
    const before = await employees();
    const seen = await preview(file);
    expect(seen.body).toMatchObject({ canApply: false });
    expect(seen.body.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'EMAIL_INVALID'],
      [4, 'EMAIL_DUPLICATE'],
      [5, 'MANAGER_UNKNOWN'],
      [6, 'MANAGED_BY_MICROSOFT'],
      [7, 'VALUE_FORMULA'],
      [8, 'VALUE_CONTROL_CHARACTERS'],
      [9, 'VALUE_TOO_LONG'],
      [10, 'STATUS_INVALID'],
      [11, 'EMAIL_MISSING'],
    ]);
    expect(seen.body.errors.find((e) => e.code === 'EMAIL_DUPLICATE')!.message).toContain('line 3');
    expect(seen.body.errors.find((e) => e.code === 'MANAGED_BY_MICROSOFT')!.message).toMatch(/synced from Microsoft 365: change .*department/);
    expect(seen.body.errors.find((e) => e.code === 'VALUE_FORMULA')).toMatchObject({ column: 'First name' });
    const refused = await apply(seen.body.id, file);
    expect(refused.status).toBe(422);
    expect((refused.body as unknown as Problem).code).toBe('CSV_PREVIEW_HAS_ERRORS');
    expect((await employees()).total).toBe(before.total);
  });

  it('updates, reactivates and — when the admin chose that people missing from the file leave — deactivates, never touching Microsoft employees', async () => {
    const file = ['email,first name,last name,department', 'grace@contoso.example,Grace,Hopper,Navy', 'alan@contoso.example,Alan,Turing,"Research; Theory"'].join('\n');
    const seen = await preview(file, 'deactivate');
    expect(seen.body.errors).toEqual([]);
    expect(seen.body.counts).toMatchObject({ updated: 1, unchanged: 1, deactivated: 1, created: 0 });
    expect(seen.body.changes.updated).toEqual([{ line: 2, email: 'grace@contoso.example', changedFields: ['department'] }]);
    expect((await apply(seen.body.id, file)).body.run.counts).toMatchObject({ updated: 1, deactivated: 1, unchanged: 1 });
    const imported = await csvEmployees();
    expect(imported.find((e) => e.email === 'katherine@contoso.example')!.status).toBe('inactive');
    expect(imported.find((e) => e.email === 'grace@contoso.example')!.department).toBe('Navy');
    expect((await employees('&source=microsoft&status=inactive')).total).toBe(0);

    const back = 'email\nkatherine@contoso.example\n';
    const again = await preview(back);
    expect(again.body.counts).toMatchObject({ reactivated: 1 });
    await apply(again.body.id, back);
    expect((await csvEmployees()).find((e) => e.email === 'katherine@contoso.example')!.status).toBe('active');
  });

  it('refuses a stale preview, a different file, and applying twice — with what to do', async () => {
    const first = 'email,department\ngrace@contoso.example,Physics\n';
    const stale = await preview(first);
    const other = 'email,department\ngrace@contoso.example,Chemistry\n';
    const moved = await preview(other);
    expect((await apply(moved.body.id, first)).body).toMatchObject({ code: 'CSV_PREVIEW_OTHER_FILE' });
    expect((await apply(moved.body.id, other)).status).toBe(200);
    const refused = await apply(stale.body.id, first);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'CSV_PREVIEW_STALE' });
    expect((refused.body as unknown as Problem).detail).toMatch(/Preview the file again/);
    expect((await apply(moved.body.id, other)).body).toMatchObject({ code: 'CSV_PREVIEW_APPLIED' });
    expect((await csvEmployees()).find((e) => e.email === 'grace@contoso.example')!.department).toBe('Chemistry');
  });

  it('gives zero changes when the export is imported again unchanged (formula-escaped cells included)', async () => {
    const res = await fetch(`${api.baseUrl}/api/employees/export.csv`, { headers: { authorization: `Bearer ${token}` } });
    const exported = Buffer.from(await res.arrayBuffer());
    const seen = await preview(exported, 'deactivate');
    expect(seen.body.errors).toEqual([]);
    expect(seen.body.counts).toEqual({ created: 0, updated: 0, reactivated: 0, deactivated: 0, unchanged: (await employees()).total });
  });

  it.each([
    ['a file that is not UTF-8', Buffer.concat([Buffer.from('email,first name\nok@contoso.example,Ok\nfrancois@contoso.example,Fran'), Buffer.from([0xe7]), Buffer.from('ois\n')]), 'CSV_NOT_UTF8', /line 3/],
    ['a UTF-16 file', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\r\n', 'utf16le')]), 'CSV_NOT_UTF8', /UTF-16/],
    ['an unclosed quote', 'email,department\nq@contoso.example,"Sales\n', 'CSV_MALFORMED', /quote/i],
    ['no email column', 'name,department\nAda,Sales\n', 'CSV_EMAIL_COLUMN_MISSING', /"name"/],
    ['two email columns', 'Email,E-mail\na@contoso.example,b@contoso.example\n', 'CSV_DUPLICATE_COLUMN', /"Email" and "E-mail"/],
    ['an empty file', '', 'CSV_EMPTY', /template/],
  ])('refuses %s as a whole, saying what to do', async (_what, file, code, detail) => {
    const before = await employees();
    const refused = await preview(file);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code });
    expect((refused.body as unknown as Problem).detail).toMatch(detail);
    expect((await employees()).total).toBe(before.total);
  });

  it('refuses a file over 20 MB and a body that is not the file’s bytes', async () => {
    const huge = Buffer.alloc(20 * 1024 * 1024 + 1, 'a');
    const tooLarge = await preview(huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ code: 'CSV_TOO_LARGE' });
    const json = await upload<Problem>('/api/employees/import/previews', JSON.stringify({ email: 'x' }), 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('CSV_UPLOAD_TYPE');
  });

  it('reads a file of almost 20 MB', async () => {
    const header = 'email,first name,last name,department,job title,office,company\n';
    const lines: string[] = [header];
    let size = header.length;
    for (let i = 0; size < 19.5 * 1024 * 1024; i += 1) {
      const line = `big${i}@contoso.example,First${i},Last${i},Department ${i % 40},Job title ${i % 90},Office ${i % 12},${'Company '.repeat(10)}\n`;
      lines.push(line);
      size += line.length;
    }
    const seen = await preview(lines.join(''));
    expect(seen.status).toBe(201);
    expect(seen.body.errorCount).toBe(0);
    expect(seen.body.counts.created).toBe(lines.length - 1);
  });
});
