import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiHarness } from './api-harness';

type Run = { id: string; status: string; mode: string; dryRun: boolean; trigger: string; counts: { created: number; updated: number; deactivated: number; reactivated: number; unchanged: number; skipped: number }; progress: { phase: string | null; usersRead: number; pages: number; graphRequests: number }; error: { code: string; message: string } | null };
type Problem = { code: string; detail: string; fields?: Record<string, string> };

/** A stand-in bot that records what the api tells it. */
async function startBotReceiver(secret: string) {
  const received: Array<{ kind: string; run: Run; wouldDeactivate?: number }> = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      if (req.headers['x-notify-secret'] !== secret) {
        res.statusCode = 401;
        res.end();
        return;
      }
      received.push(JSON.parse(raw) as (typeof received)[number]);
      res.statusCode = 202;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Reads a Server-Sent Events stream to its end. */
async function readEvents(url: string, token: string): Promise<Array<{ event: string; id: string; data: { type: string; run: Run } }>> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))!.slice(name.length + 2);
      return { event: field('event'), id: field('id'), data: JSON.parse(field('data')) as { type: string; run: Run } };
    });
}

async function waitForRun(api: ApiHarness, token: string, runId: string, until: (run: Run) => boolean): Promise<Run> {
  for (let i = 0; i < 200; i += 1) {
    const run = (await api.call<Run>('GET', `/api/sync/runs/${runId}`, { token })).body;
    if (until(run)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${runId} never got there`);
}

describe('sync runs through the api', () => {
  let api: ApiHarness;
  let bot: Awaited<ReturnType<typeof startBotReceiver>>;
  let token: string;
  beforeAll(async () => {
    bot = await startBotReceiver('notify-secret-for-tests');
    api = await ApiHarness.start({ tenant: { users: 60, groups: 5, seed: 21, disabledShare: 0.1, guestShare: 0.1, noMailboxShare: 0.05 }, botUrl: bot.url, notifySecret: 'notify-secret-for-tests', changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
  });
  afterAll(async () => {
    await api.stop();
    await bot.close();
  });

  it('refuses to sync before Microsoft 365 is connected, saying to connect first', async () => {
    const res = await api.call<Problem>('POST', '/api/sync/runs', { token, body: {} });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('MICROSOFT_NOT_CONNECTED');
    expect(res.body.detail).toContain('Connect to Microsoft 365');
  });

  it('validates the scope per field, saving nothing when a value is wrong', async () => {
    await api.consent(token, api.adminUpn);
    const res = await api.call<Problem>('PUT', '/api/sync/configuration', {
      token,
      body: { scope: { kind: 'groups', groupIds: [] }, exclusions: ['not an email'], deletionGuard: { maxShare: 3 } },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.fields).toMatchObject({
      'scope.groupIds': 'Choose at least one group',
      'exclusions.0': 'Enter an email address (ann@contoso.com) or a domain (contoso.com)',
      'deletionGuard.maxShare': 'Enter a share from 0 to 1',
    });
    const stored = await api.call<{ scope: { kind: string } }>('GET', '/api/sync/configuration', { token });
    expect(stored.body.scope).toEqual({ kind: 'all' });
  });

  it('refuses a body that is not JSON with a clear problem', async () => {
    const res = await api.call<Problem>('PUT', '/api/sync/configuration', { token, body: '{"scope":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/could not be read .*Send a JSON object/);
  });

  it('"Save changes and sync users" saves the scope and starts a sync, whose events arrive in order up to the end', async () => {
    const saved = await api.call<{ configuration: { scope: { kind: string } }; run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' } } });
    expect(saved.status).toBe(200);
    expect(saved.body.run).toMatchObject({ trigger: 'scope_change', dryRun: false });

    const events = await readEvents(`${api.baseUrl}/api/sync/runs/${saved.body.run.id}/events`, token);
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    const last = events[events.length - 1]!;
    expect(last.event).toBe('finished');
    expect(last.data.run.status).toBe('succeeded');
    expect(last.data.run.counts.created).toBeGreaterThan(0);
    // Users read only grows while the run goes on.
    const read = events.map((e) => e.data.run.progress.usersRead);
    expect(read).toEqual([...read].sort((a, b) => a - b));

    const notified = bot.received.find((n) => n.run.id === saved.body.run.id);
    expect(notified).toMatchObject({ kind: 'sync_finished', run: { status: 'succeeded' } });
  });

  it('answers two sync requests at once with one run', async () => {
    const [a, b] = await Promise.all([api.call<Run>('POST', '/api/sync/runs', { token, body: {} }), api.call<Run>('POST', '/api/sync/runs', { token, body: {} })]);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body.id).toBe(b.body.id);
    expect([a.headers.get('x-sync-already-running'), b.headers.get('x-sync-already-running')]).toContain('true');
    const done = await waitForRun(api, token, a.body.id, (r) => r.status === 'succeeded');
    // Nothing changed in Entra since the last sync: an incremental round with nothing to write.
    expect(done.mode).toBe('incremental');
    expect(done.counts).toMatchObject({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
  });

  it('runs a dry run that lists who would change and writes nothing', async () => {
    const newcomer = await api.emulator.control.createUser(api.tenant.tenantId, { displayName: 'Dry Run Newcomer', userPrincipalName: `dry.newcomer@${api.tenant.defaultDomain}`, mail: `dry.newcomer@${api.tenant.defaultDomain}` });
    const before = (await api.call<{ total: number }>('GET', '/api/employees', { token })).body.total;
    const run = await api.call<Run>('POST', '/api/sync/runs', { token, body: { dryRun: true } });
    const done = await waitForRun(api, token, run.body.id, (r) => r.status === 'succeeded');
    expect(done.dryRun).toBe(true);
    expect(done.counts.created).toBe(1);
    const report = await api.call<{ created: Array<{ email: string }> }>('GET', `/api/sync/runs/${run.body.id}/report`, { token });
    expect(report.body.created.map((e) => e.email)).toEqual([newcomer.mail]);
    expect((await api.call<{ total: number }>('GET', '/api/employees', { token })).body.total).toBe(before);
  });

  it('holds a run that would deactivate too many people until an admin approves it, and tells the bot', async () => {
    // Sync everyone first so the newcomer exists, then narrow the scope to a small group.
    await waitForRun(api, token, (await api.call<Run>('POST', '/api/sync/runs', { token, body: {} })).body.id, (r) => r.status === 'succeeded');
    const active = (await api.call<{ total: number }>('GET', '/api/employees?status=active', { token })).body.total;
    const group = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Tiny pilot group' });
    await api.emulator.control.addMembers(api.tenant.tenantId, group.id, [api.adminUpn]);

    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'groups', groupIds: [group.id] } } });
    const held = await waitForRun(api, token, saved.body.run.id, (r) => r.status !== 'queued' && r.status !== 'running');
    expect(held.status).toBe('awaiting_approval');
    expect(held.error?.code).toBe('DELETION_GUARD');
    expect((await api.call<{ total: number }>('GET', '/api/employees?status=active', { token })).body.total).toBe(active);
    await waitFor(() => bot.received.find((n) => n.kind === 'approval_needed' && n.run.id === held.id));
    expect(bot.received.find((n) => n.kind === 'approval_needed')).toMatchObject({ wouldDeactivate: active - 1, activeEmployees: active });

    const cancel = await api.call<Problem>('POST', `/api/sync/runs/${held.id}/cancel`, { token });
    expect(cancel.status).toBe(409);
    const approved = await api.call<Run>('POST', `/api/sync/runs/${held.id}/approve`, { token });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('succeeded');
    expect((await api.call<{ total: number }>('GET', '/api/employees?status=active', { token })).body.total).toBe(1);
    const again = await api.call<Problem>('POST', `/api/sync/runs/${held.id}/approve`, { token });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RUN_NOT_AWAITING_APPROVAL');
  });

  it('lets an admin reject a held run: nobody is deactivated', async () => {
    await api.call('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' } } }).then((r) => waitForRun(api, token, (r.body as { run: Run }).run.id, (x) => x.status === 'succeeded'));
    const group = (await api.emulator.control.groups(api.tenant.tenantId)).find((g) => g.displayName === 'Tiny pilot group')!;
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'groups', groupIds: [group.id] } } });
    const held = await waitForRun(api, token, saved.body.run.id, (r) => r.status === 'awaiting_approval');
    const active = (await api.call<{ total: number }>('GET', '/api/employees?status=active', { token })).body.total;
    const rejected = await api.call<Run>('POST', `/api/sync/runs/${held.id}/reject`, { token });
    expect(rejected.body.status).toBe('rejected');
    expect((await api.call<{ total: number }>('GET', '/api/employees?status=active', { token })).body.total).toBe(active);
  });

  it('cancels a running sync: it ends cancelled and deactivates nobody', async () => {
    await api.emulator.control.setFaults(api.tenant.tenantId, { latencyMs: 300 });
    try {
      const run = await api.call<Run>('POST', '/api/sync/runs', { token, body: { full: true } });
      await waitForRun(api, token, run.body.id, (r) => r.status === 'running');
      const cancelled = await api.call<Run>('POST', `/api/sync/runs/${run.body.id}/cancel`, { token });
      expect(cancelled.status).toBe(200);
      const done = await waitForRun(api, token, run.body.id, (r) => r.status === 'cancelled');
      expect(done.counts.deactivated).toBe(0);
    } finally {
      await api.emulator.control.clearFaults(api.tenant.tenantId);
    }
  });

  it('pages the sync history, newest first', async () => {
    const first = await api.call<{ runs: Run[]; nextCursor: string | null }>('GET', '/api/sync/runs?limit=2', { token });
    expect(first.body.runs).toHaveLength(2);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await api.call<{ runs: Run[] }>('GET', `/api/sync/runs?limit=2&cursor=${first.body.nextCursor}`, { token });
    const ids = [...first.body.runs, ...second.body.runs].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const bad = await api.call<Problem>('GET', '/api/sync/runs?cursor=nonsense', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_CURSOR');
  });
});

async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i += 1) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('never happened');
}
