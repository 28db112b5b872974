import { sql } from 'kysely';
import { ApiHarness, type ApiAnswer } from '../http/api-harness';

type RowError = { line: number; email: string | null; column: string | null; code: string; message: string };
type Counts = { created: number; updated: number; reactivated: number; deactivated: number; unchanged: number };
type Preview = { id: string; rows: number; errors: RowError[]; errorCount: number; counts: Counts; canApply: boolean; truncated: boolean };
type Run = { id: string; trigger: string; status: string; counts: Counts & { skipped: number }; error: { code: string; message: string } | null };
type Problem = { code: string; detail: string };

/**
 * The issue's CSV edge cases that the main CSV import test leaves out: 100,000 rows, a
 * write failing halfway, more wrong encodings, malicious cells, duplicate rows, a file with
 * no rows. Each ends with a clear message, and nothing half-applied.
 */
describe('CSV import, edge cases', () => {
  let api: ApiHarness;
  let token: string;

  const upload = async <T>(route: string, body: Buffer | string): Promise<ApiAnswer<T>> => {
    const res = await fetch(`${api.baseUrl}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(typeof body === 'string' ? Buffer.from(body, 'utf8') : body) });
    return { status: res.status, headers: res.headers, body: (await res.json()) as T };
  };
  const preview = (file: Buffer | string, missing: 'keep' | 'deactivate' = 'keep') => upload<Preview>(`/api/employees/import/previews?missing=${missing}`, file);
  const apply = (previewId: string, file: Buffer | string) => upload<{ run: Run }>(`/api/employees/import/previews/${previewId}/apply`, file);
  const directory = async () => {
    const db = api.app.services.store.db;
    const employees = await db.selectFrom('employees').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const changes = await db.selectFrom('employee_changes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const active = await db.selectFrom('employees').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow();
    return { employees: Number(employees.n), active: Number(active.n), changes: Number(changes.n) };
  };

  beforeAll(async () => {
    api = await ApiHarness.start({ changeNotifications: false, tenant: { users: 5, groups: 1, disabledShare: 0, guestShare: 0, noMailboxShare: 0 } });
    token = await api.tokenFor(api.adminUpn);
  });
  afterAll(() => api.stop());

  it('refuses a file with column names and no one under them — even empty lines only — so it cannot empty the directory', async () => {
    const first = 'email,first name\nstays@contoso.example,Stays\n';
    await apply((await preview(first)).body.id, first);
    const before = await directory();
    for (const file of ['email,first name\n', 'email,first name\r\n\r\n\r\n', '\uFEFFemail;first name\n\n']) {
      const refused = await preview(file, 'deactivate');
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'CSV_NO_ROWS' });
      expect((refused.body as unknown as Problem).detail).toMatch(/no employees under them/);
    }
    expect(await directory()).toEqual(before);
  });

  it.each([
    ['a UTF-16 file saved big-endian', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('email\r\n'.split('').map((c) => `\u0000${c}`).join(''), 'latin1')]), 'CSV_NOT_UTF8', /UTF-16/],
    ['a Windows-1252 file (an accent on line 2)', Buffer.concat([Buffer.from('email,last name\nrene@contoso.example,Ren'), Buffer.from([0xe9]), Buffer.from('\n')]), 'CSV_NOT_UTF8', /line 2/],
    ['an Excel workbook', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.alloc(64, 0)]), 'CSV_NOT_TEXT', /workbook.*CSV UTF-8/],
    ['binary data', Buffer.from('email\nzero\u0000byte@contoso.example\n', 'utf8'), 'CSV_NOT_TEXT', /binary/],
    ['a cell over 1 MB', `email,notes\nbig@contoso.example,"${'x'.repeat(1024 * 1024 + 10)}"\n`, 'CSV_MALFORMED', /line 2/],
  ])('refuses %s as a whole, saying what to do, and changes nothing', async (_what, file, code, detail) => {
    const before = await directory();
    const refused = await preview(file);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code });
    expect((refused.body as unknown as Problem).detail).toMatch(detail);
    expect(await directory()).toEqual(before);
  });

  it('flags every cell a spreadsheet would run, control characters, and duplicate rows (whatever the case), and applies none of the file', async () => {
    const file = [
      'Email,First name,Last name,Department,Job title',
      'plus@contoso.example,Plus,"+SUM(1,2)",Sales,Clerk',
      'minus@contoso.example,Minus,-2+3,Sales,Clerk',
      'at@contoso.example,At,@SUM(1),Sales,Clerk',
      'tab@contoso.example,Tab,"\t=1+1",Sales,Clerk',
      `dde@contoso.example,Dde,Dde,"=cmd|' /C calc'!A0",Clerk`,
      'escape@contoso.example,Escape,Escape,Sales,"Clerk\u001b[31m"',
      'same@contoso.example,Same,Row,Sales,Clerk',
      'same@contoso.example,Same,Row,Sales,Clerk',
      'SAME@Contoso.example,Same,Upper,Sales,Clerk',
      'ok@contoso.example,Ok,Fine,Sales,Clerk',
    ].join('\n');
    const before = await directory();
    const seen = await preview(file);
    expect(seen.body.canApply).toBe(false);
    expect(seen.body.errors.map((e) => [e.line, e.code, e.column])).toEqual([
      [2, 'VALUE_FORMULA', 'Last name'],
      [3, 'VALUE_FORMULA', 'Last name'],
      [4, 'VALUE_FORMULA', 'Last name'],
      [5, 'VALUE_FORMULA', 'Last name'],
      [6, 'VALUE_FORMULA', 'Department'],
      [7, 'VALUE_CONTROL_CHARACTERS', 'Job title'],
      [9, 'EMAIL_DUPLICATE', 'Email'],
      [10, 'EMAIL_DUPLICATE', 'Email'],
    ]);
    expect(seen.body.errors.find((e) => e.line === 10)!.message).toContain('line 8');
    expect((await apply(seen.body.id, file)).body).toMatchObject({ code: 'CSV_PREVIEW_HAS_ERRORS' });
    expect(await directory()).toEqual(before);
  });

  it('leaves the directory as it was when writing fails halfway: no employee, no change log, a failed run that says nothing changed — and the same preview applies once the fault is gone', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `halfway${i}@contoso.example,Halfway ${i}`);
    const file = ['email,first name', ...rows].join('\n');
    const seen = await preview(file);
    expect(seen.body).toMatchObject({ canApply: true, counts: { created: 3000 } });
    const before = await directory();
    // The database refuses the change log's last entry: every employee row is written by then, inside the transaction.
    await sql`create trigger refuse_last_change before insert on employee_changes when new.email = 'halfway2999@contoso.example' begin select raise(abort, 'disk full'); end`.execute(api.app.services.store.db);
    try {
      const failed = await apply(seen.body.id, file);
      expect(failed.status).toBe(500);
      expect(failed.body as unknown as Problem).toMatchObject({ code: 'CSV_IMPORT_FAILED' });
      expect((failed.body as unknown as Problem).detail).toMatch(/nothing was changed/);
      expect((failed.body as unknown as Problem).detail).not.toMatch(/disk full/);
      expect(await directory()).toEqual(before);
      const runs = await api.call<{ runs: Run[] }>('GET', '/api/sync/runs', { token });
      expect(runs.body.runs[0]).toMatchObject({ trigger: 'csv', status: 'failed', error: { code: 'CSV_IMPORT_FAILED' } });
    } finally {
      await sql`drop trigger refuse_last_change`.execute(api.app.services.store.db);
    }
    const applied = await apply(seen.body.id, file);
    expect(applied.status).toBe(200);
    expect(applied.body.run.counts.created).toBe(3000);
    expect((await directory()).employees).toBe(before.employees + 3000);
  });

  it('imports 100,000 rows in one go — every one created, each with its change-log line — and the same file again changes nothing', async () => {
    const lines = ['\uFEFFEmail;First name;Last name;Department;Manager email'];
    for (let i = 0; i < 100_000; i += 1) lines.push(`p${i}@bulk.example;First${i};"Last; ${i}";Department ${i % 40};${i === 0 ? '' : `p${Math.floor(i / 10)}@bulk.example`}`);
    const file = lines.join('\r\n');
    const before = await directory();
    const seen = await preview(file);
    expect(seen.status).toBe(201);
    expect(seen.body).toMatchObject({ rows: 100_000, errorCount: 0, canApply: true, truncated: true, counts: { created: 100_000 } });
    expect(await directory()).toEqual(before);
    const applied = await apply(seen.body.id, file);
    expect(applied.status).toBe(200);
    expect(applied.body.run).toMatchObject({ trigger: 'csv', status: 'succeeded', counts: { created: 100_000 } });
    expect(await directory()).toEqual({ employees: before.employees + 100_000, active: before.active + 100_000, changes: before.changes + 100_000 });
    const again = await preview(file);
    expect(again.body.counts).toEqual({ created: 0, updated: 0, reactivated: 0, deactivated: 0, unchanged: 100_000 });
  }, 300_000);
});
