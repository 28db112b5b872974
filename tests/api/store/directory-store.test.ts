import { compareEmployee } from '@users-sync/api/domain/index';
import type { ImportedAttributes, PlannedChange } from '@users-sync/api/domain/index';
import type { Store } from '@users-sync/api/store/index';
import { sql } from 'kysely';
import { describeEachStore } from './store-backends';
import { employeeAttributes } from '../employee-attributes';

const attributes = (email: string, department: string | null = null) => employeeAttributes(email, { givenName: 'Given', surname: 'Sur', displayName: `Name of ${email}`, department });

describeEachStore('the directory store', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  let tick = 0;
  beforeEach(async () => {
    tick = 0;
    ({ store, done } = await backend.open({ clock: () => new Date(Date.UTC(2025, 0, 1, 0, 0, tick++)) }));
  });
  afterEach(() => done());

  it('creates organizations and remembers their Microsoft connection and consent', async () => {
    const org = await store.organizations.create('Contoso');
    expect(await store.organizations.get(org.id)).toEqual(org);
    await store.connections.save(org.id, 'tenant-1', 'pending');
    await store.connections.save(org.id, 'tenant-1', 'granted');
    expect(await store.connections.get(org.id)).toMatchObject({ tenantId: 'tenant-1', consentState: 'granted', consentedAt: expect.any(String) });
    expect((await store.connections.findByTenant('tenant-1')).map((c) => c.organizationId)).toEqual([org.id]);
    expect(await store.organizations.get('missing')).toBeUndefined();
  });

  it('gives a new organization the default sync configuration, and saves changes to it', async () => {
    const org = await store.organizations.create('Contoso');
    expect(await store.configurations.get(org.id)).toMatchObject({ scope: { kind: 'all' }, includeGuests: false, deletionGuard: { maxShare: 0.2, minCount: 10 } });
    await store.configurations.save(org.id, { scope: { kind: 'group_name', groupName: 'arsen' }, exclusions: ['ceo@contoso.com'] });
    await store.configurations.save(org.id, { includeGuests: true, schedule: { intervalMinutes: 60 } });
    expect(await store.configurations.get(org.id)).toMatchObject({
      scope: { kind: 'group_name', groupName: 'arsen' },
      exclusions: ['ceo@contoso.com'],
      includeGuests: true,
      schedule: { intervalMinutes: 60 },
    });
  });

  it('writes employees by Entra id, keeps the record when someone is deactivated and comes back, and never deletes', async () => {
    const org = await store.organizations.create('Contoso');
    const [id] = await store.employees.applyChanges(org.id, [compareEmployee(undefined, 'u1', attributes('ada@contoso.com'))], store.now());
    const first = await store.employees.get(org.id, id!);
    expect(first).toMatchObject({ source: 'microsoft', status: 'active', entraObjectId: 'u1', email: 'ada@contoso.com', deactivatedAt: null });

    await store.employees.deactivate(org.id, [id!], store.now());
    expect(await store.employees.get(org.id, id!)).toMatchObject({ status: 'inactive', deactivatedAt: expect.any(String) });
    expect(await store.employees.count(org.id, 'active')).toBe(0);

    const stored = (await store.employees.storedByEntraIds(org.id, ['u1'])).get('u1');
    const back = compareEmployee(stored, 'u1', attributes('ada@contoso.com', 'Sales'));
    expect(back.kind).toBe('reactivate');
    await store.employees.applyChanges(org.id, [back], store.now());
    const again = await store.employees.get(org.id, id!);
    expect(again).toMatchObject({ id, status: 'active', department: 'Sales', deactivatedAt: null, firstSeenAt: first!.firstSeenAt });
    expect(await store.employees.count(org.id)).toBe(1);
  });

  it('looks up an employee with every attribute it holds, each in its own place, and the previous attributes of an update the same way', async () => {
    const org = await store.organizations.create('Contoso');
    const written = { email: 'ada@contoso.com', givenName: 'Ada', surname: 'Lovelace', displayName: 'Ada Lovelace', department: 'Research', jobTitle: 'Analyst', officeLocation: 'Room 12', city: 'London', country: 'UK', preferredLanguage: 'en-GB', employeeId: 'E-1815', companyName: 'Analytical Engines', managerId: 'm-babbage' };
    const [id] = await store.employees.applyChanges(org.id, [compareEmployee(undefined, 'u1', written)], store.now());
    const withAttributes = await store.employees.storedWithAttributesByEntraIds(org.id, ['u1', 'nobody']);
    expect([...withAttributes.keys()]).toEqual(['u1']);
    expect(withAttributes.get('u1')).toEqual({ ...(await store.employees.storedByEntraIds(org.id, ['u1'])).get('u1'), attributes: written });
    expect((await store.employees.attributesOf(org.id, [id!])).get(id!)).toEqual(written);
    expect(await store.employees.get(org.id, id!)).toMatchObject(written);
  });

  it('replays the same change harmlessly', async () => {
    const org = await store.organizations.create('Contoso');
    const change = compareEmployee(undefined, 'u1', attributes('ada@contoso.com'));
    await store.employees.applyChanges(org.id, [change], store.now());
    await store.employees.applyChanges(org.id, [change], store.now());
    expect(await store.employees.count(org.id)).toBe(1);
  });

  it('lets the rest of the process go on (Graph reads, requests) while it writes thousands of employees, and another query waits for the transaction to end', async () => {
    const org = await store.organizations.create('Contoso');
    const many = Array.from({ length: 2500 }, (_, i) => compareEmployee(undefined, `u${i}`, attributes(`p${i}@contoso.com`)));
    let writing = true;
    let turns = 0;
    const turn = () => {
      turns += 1;
      if (writing) setImmediate(turn);
    };
    setImmediate(turn);
    let seenDuringWrite: number | undefined;
    const write = store.transaction(async (t) => {
      await t.employees.applyChanges(org.id, many, store.now());
    });
    // Asked while the transaction is open: it must see all of it or none of it, never part.
    const counted = new Promise<void>((resolve) => setImmediate(() => void store.employees.count(org.id, 'active').then((n) => ((seenDuringWrite = n), resolve()))));
    await write;
    writing = false;
    await counted;
    // SQLite's calls block the event loop: the write gives it a turn every few hundred rows (PostgreSQL waits on the network anyway).
    expect(turns).toBeGreaterThanOrEqual(4);
    expect([0, 2500]).toContain(seenDuringWrite);
  });

  it('writes thousands of employees in one transaction, or none of them', async () => {
    const org = await store.organizations.create('Contoso');
    const many = Array.from({ length: 2500 }, (_, i) => compareEmployee(undefined, `u${i}`, attributes(`p${i}@contoso.com`)));
    await store.transaction((t) => t.employees.applyChanges(org.id, many, store.now()));
    expect(await store.employees.count(org.id, 'active')).toBe(2500);

    const more = Array.from({ length: 10 }, (_, i) => compareEmployee(undefined, `v${i}`, attributes(`q${i}@contoso.com`)));
    await expect(
      store.transaction(async (t) => {
        await t.employees.applyChanges(org.id, more, store.now());
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect(await store.employees.count(org.id)).toBe(2500);
  });

  // PostgreSQL sends whole columns as array parameters (unnest, = any): every text must come back as written.
  it('writes and finds thousands of employees at once, whatever their text holds, past every statement size', async () => {
    const org = await store.organizations.create('Contoso');
    const awkward = ['O"Brien', 'back\\slash', '{braces, and commas}', 'NULL', '', '  spaced  ', 'Zoë 東京', "it's"];
    const many = Array.from({ length: 12_000 }, (_, i) =>
      compareEmployee(undefined, `u${i}`, attributes(`p${i}@contoso.com`, i < awkward.length ? awkward[i]! : i % 2 === 0 ? null : `Dept ${i % 7}`)),
    );
    const ids = await store.transaction((t) => t.employees.applyChanges(org.id, many, store.now()));
    expect(new Set(ids).size).toBe(12_000);
    const stored = await store.employees.storedByEntraIds(org.id, many.map((c) => c.entraObjectId));
    expect(stored.size).toBe(12_000);
    expect(stored.get('u11999')).toMatchObject({ id: ids[11_999], hash: many[11_999]!.hash, status: 'active' });
    const read = await store.employees.attributesOf(org.id, ids.slice(0, 1_500));
    expect(read.size).toBe(1_500);
    awkward.forEach((department, i) => expect(read.get(ids[i]!)?.department).toBe(department));
    expect(read.get(ids[8]!)?.department).toBeNull();

    const managed = [compareEmployee(undefined, 'r1', { ...attributes('r1@contoso.com'), managerId: 'u2' }), compareEmployee(undefined, 'r2', { ...attributes('r2@contoso.com'), managerId: 'u3' })];
    await store.employees.applyChanges(org.id, managed, store.now());
    expect((await store.employees.activeReportsOf(org.id, ['u2', 'u3', 'u4'])).sort()).toEqual(['r1', 'r2']);

    await store.transaction((t) => t.employees.deactivate(org.id, ids.slice(0, 2_500), store.now()));
    expect(await store.employees.count(org.id, 'active')).toBe(12_000 - 2_500 + 2);
    expect((await store.employees.storedByEntraIds(org.id, ['u0', 'u2500', 'missing'])).get('u0')?.status).toBe('inactive');

    await store.transaction((t) => t.changes.append(org.id, 'run-1', ids.slice(0, 6_000).map((employeeId, i) => ({ employeeId, entraObjectId: `u${i}`, email: null, action: 'created' as const, reason: i === 0 ? 'a "quoted", {odd} reason' : null, changedFields: i === 1 ? ['department'] : null })), store.now()));
    const logged = await store.changes.list(org.id, { runId: 'run-1' });
    expect(logged).toHaveLength(6_000);
    expect(logged.find((c) => c.employeeId === ids[0])).toMatchObject({ reason: 'a "quoted", {odd} reason', email: null, changedFields: null });
    expect(logged.find((c) => c.employeeId === ids[1])?.changedFields).toEqual(['department']);
  });

  it('writes CSV imports by employee id, creating and updating, through the same writer as syncs', async () => {
    const org = await store.organizations.create('Contoso');
    const imported = (email: string, department: string | null): ImportedAttributes => {
      const { managerId: _managerId, ...rest } = attributes(email, department);
      return { ...rest, managerEmail: 'boss@contoso.com' };
    };
    const change = (employeeId: string | null, email: string, department: string | null, status: 'active' | 'inactive' = 'active'): PlannedChange => ({
      line: 2, employeeId, email, attributes: imported(email, department), status, changedFields: [], before: null,
    });
    const ids = await store.transaction((t) => t.csvImports.write(org.id, Array.from({ length: 6_000 }, (_, i) => change(null, `c${i}@contoso.com`, i === 0 ? 'Sales "East"' : null)), store.now()));
    await store.csvImports.write(org.id, [change(ids[0]!, 'c0@contoso.com', 'Support'), change(ids[1]!, 'c1@contoso.com', null, 'inactive')], store.now());
    expect(await store.employees.count(org.id)).toBe(6_000);
    expect(await store.employees.get(org.id, ids[0]!)).toMatchObject({ source: 'csv', department: 'Support', importedManagerEmail: 'boss@contoso.com', status: 'active' });
    expect(await store.employees.get(org.id, ids[1]!)).toMatchObject({ status: 'inactive', deactivatedAt: expect.any(String) });
  });

  it('refreshes the planner statistics after a large load, so a page lookup uses the Entra id index', async () => {
    const org = await store.organizations.create('Contoso');
    await store.transaction((t) => t.employees.applyChanges(org.id, Array.from({ length: 3_000 }, (_, i) => compareEmployee(undefined, `u${i}`, attributes(`p${i}@contoso.com`))), store.now()));
    await store.employees.refreshPlannerStatistics(3_000);
    if (store.kind !== 'postgres') return;
    const { rows } = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = 'employees'::regclass`.execute(store.db);
    expect(Number(rows[0]!.reltuples)).toBe(3_000);
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select id from employees where organization_id = ${org.id} and source = 'microsoft' and entra_object_id = any(${['u1', 'u2']}::text[])`.execute(store.db);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('employees_entra_object');
  });

  it('keeps each organization to its own employees', async () => {
    const a = await store.organizations.create('A');
    const b = await store.organizations.create('B');
    await store.employees.applyChanges(a.id, [compareEmployee(undefined, 'u1', attributes('x@a.com'))], store.now());
    await store.employees.applyChanges(b.id, [compareEmployee(undefined, 'u1', attributes('x@b.com'))], store.now());
    expect((await store.employees.list(a.id)).map((e) => e.email)).toEqual(['x@a.com']);
    expect((await store.employees.list(b.id)).map((e) => e.email)).toEqual(['x@b.com']);
  });

  it('records sync runs with progress, counts, errors and a saved plan, most recent first', async () => {
    const org = await store.organizations.create('Contoso');
    const run = await store.runs.create({ organizationId: org.id, trigger: 'manual', mode: 'full', dryRun: false });
    expect(run).toMatchObject({ status: 'queued', counts: { created: 0 }, dryRun: false });
    await store.runs.update(run.id, { status: 'running', startedAt: store.now(), phase: 'reading_users', progress: { usersRead: 999, pages: 1, graphRequests: 2 } });
    expect(await store.runs.get(run.id)).toMatchObject({ status: 'running', phase: 'reading_users', usersRead: 999, pages: 1, graphRequests: 2 });
    await store.runs.update(run.id, {
      status: 'awaiting_approval',
      counts: { created: 1, updated: 2, deactivated: 30, reactivated: 0, unchanged: 5, skipped: 1 },
      plan: { deactivate: ['e1'] },
      finishedAt: store.now(),
    });
    const held = await store.runs.get(run.id);
    expect(held).toMatchObject({ status: 'awaiting_approval', counts: { deactivated: 30 }, plan: { deactivate: ['e1'] } });
    expect(held!.durationMs).toBeGreaterThan(0);
    expect((await store.runs.unfinished(org.id)).map((r) => r.id)).toEqual([run.id]);

    const second = await store.runs.create({ organizationId: org.id, trigger: 'schedule', mode: 'incremental', dryRun: true });
    await store.runs.update(second.id, { status: 'failed', error: { code: 'TooManyRequests', message: 'Graph kept throttling' } });
    expect((await store.runs.list(org.id)).map((r) => r.id)).toEqual([second.id, run.id]);
    expect(await store.runs.get(second.id)).toMatchObject({ error: { code: 'TooManyRequests' }, dryRun: true });
  });

  it('keeps a change log per employee and per run', async () => {
    const org = await store.organizations.create('Contoso');
    await store.changes.append(org.id, 'run-1', [{ employeeId: 'e1', entraObjectId: 'u1', email: 'a@contoso.com', action: 'updated', reason: null, changedFields: ['department'] }], store.now());
    await store.changes.append(org.id, 'run-2', [{ employeeId: 'e1', entraObjectId: 'u1', email: 'a@contoso.com', action: 'deactivated', reason: 'left the scope', changedFields: null }], store.now());
    expect((await store.changes.list(org.id, { employeeId: 'e1' })).map((c) => c.action)).toEqual(['updated', 'deactivated']);
    expect(await store.changes.list(org.id, { runId: 'run-1' })).toEqual([expect.objectContaining({ changedFields: ['department'] })]);
  });

  it('saves and forgets delta state', async () => {
    const org = await store.organizations.create('Contoso');
    expect(await store.deltaStates.get(org.id)).toBeUndefined();
    const state = { scopeKey: '{"kind":"all"}', usersDeltaLink: 'https://graph/users/delta?$deltatoken=x', groupsDeltaLink: null, groupTree: { roots: ['g'], children: { g: ['h'] } }, scopeMemberIds: ['u1'] };
    await store.deltaStates.save(org.id, state);
    await store.deltaStates.save(org.id, { ...state, usersDeltaLink: 'next' });
    expect(await store.deltaStates.get(org.id)).toMatchObject({ ...state, usersDeltaLink: 'next' });
    await store.deltaStates.clear(org.id);
    expect(await store.deltaStates.get(org.id)).toBeUndefined();
  });
});
