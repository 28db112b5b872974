import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { buildApiServices, type ApiRuntime } from '@users-sync/api/composition';
import { loadApiConfig } from '@users-sync/api/config';
import { createLogger } from '@users-sync/api/service/index';
import type { SyncRun } from '@users-sync/api/store/index';
import { startEmulator, type RunningEmulator } from '@users-sync/emulator/index';
import { devCaPath, testCertificateDir } from '../../support/dev-certificate-path';
import { eventually } from '../http/api-harness';
import { buildCli, runCli } from './cli-process';

/** `users-sync sync --json` as an operator runs it: a separate process, reading the emulator over HTTPS. */
describe('users-sync sync --json against the emulator', () => {
  let emulator: RunningEmulator;
  let cli: ReturnType<typeof buildCli>;
  let dataDir: string;
  let tenantId: string;
  let app: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
    cli = buildCli();
  });
  afterAll(async () => {
    cli.done();
    await emulator.close();
  });

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-cli-data-'));
    const tenant = await emulator.control.createTenant({ users: 0, groups: 0 });
    tenantId = tenant.tenantId;
    app = tenant.app;
    const user = (name: string, extra: Record<string, unknown> = {}) =>
      emulator.control.createUser(tenantId, { displayName: name, userPrincipalName: `${name}@contoso.com`, mail: `${name}@contoso.com`, accountEnabled: true, ...extra });
    await user('ada', { department: 'Engineering' });
    await user('bob');
    // No mailbox, but a user principal name mail reaches: an employee all the same.
    await user('cy', { mail: null });
    await user('off', { accountEnabled: false });
    await user('guest', { userType: 'Guest', mail: 'guest@fabrikam.com', userPrincipalName: 'guest_fabrikam.com#EXT#@contoso.onmicrosoft.com' });
    // No mailbox, and a principal name that is no mail address (a room's): nobody to reach.
    await user('room', { mail: null, userPrincipalName: 'room-42@contoso' });
  });
  afterEach(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await emulator.control.deleteTenant(tenantId).catch(() => undefined);
  });

  const environment = () => ({
    DATA_DIR: dataDir,
    MICROSOFT_CLIENT_ID: app.clientId,
    MICROSOFT_CLIENT_SECRET: app.clientSecret,
    MICROSOFT_AUTHORITY_HOST: emulator.url,
    GRAPH_BASE_URL: emulator.url,
  });
  const run = (args: string[], started?: (child: ChildProcess) => void) => runCli(cli.main, args, environment(), started);

  /** The api's services on the same database, as the api process builds them. */
  const apiOnSameDatabase = (): Promise<ApiRuntime> =>
    buildApiServices(loadApiConfig(environment()), createLogger({ service: 'api', level: 'silent', pretty: false }), { changeNotifications: false });
  const runningRun = (api: ApiRuntime, orgId: string): Promise<SyncRun> =>
    eventually(async () => (await api.services.store.runs.list(orgId)).find((r) => r.status === 'running'), 'the command line runs its sync', 400);

  /** `org add` for the seeded tenant, then `scope set --all`; returns the organization id. */
  const connectedOrganization = async (): Promise<string> => {
    const added = await run(['org', 'add', '--name', 'Contoso', '--tenant', tenantId]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const orgId = added.stdout.trim();
    expect(await run(['scope', 'set', '--org', orgId, '--all'])).toMatchObject({ code: 0, stdout: 'scope of Contoso: all users\n', stderr: '' });
    return orgId;
  };

  /** The one JSON object `sync --json` prints: stdout must hold exactly one line. */
  const syncJson = async (orgId: string) => {
    const result = await run(['sync', '--org', orgId, '--json']);
    const lines = result.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    return { ...result, printed: JSON.parse(lines[0]!) as Record<string, unknown> };
  };

  it('creates the active, non-guest users with an email and skips the disabled, guest and mailbox-less ones; a second sync is incremental and changes nothing', async () => {
    const orgId = await connectedOrganization();

    const first = await syncJson(orgId);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.printed).toEqual({
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'succeeded',
      mode: 'full',
      dryRun: false,
      counts: { created: 3, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 3 },
      // The "from now" users delta link, then one page of users.
      graphRequests: 2,
      durationMs: expect.any(Number),
    });
    expect(first.printed.durationMs).toBeGreaterThanOrEqual(0);

    const employees = await run(['employees', '--org', orgId, '--json']);
    expect((JSON.parse(employees.stdout) as Array<{ email: string; status: string }>).map((e) => `${e.email} ${e.status}`)).toEqual([
      'ada@contoso.com active',
      'bob@contoso.com active',
      'cy@contoso.com active',
    ]);

    const second = await syncJson(orgId);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.printed).toEqual({
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'succeeded',
      mode: 'incremental',
      dryRun: false,
      counts: { created: 0, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 0 },
      // One users delta round that finds nothing new.
      graphRequests: 1,
      durationMs: expect.any(Number),
    });
    expect(second.printed.runId).not.toBe(first.printed.runId);
  });

  it('fails in one line and exits non-zero when the admin consent was revoked, changing nothing', async () => {
    const orgId = await connectedOrganization();
    await emulator.control.revokeConsent(tenantId, app.clientId);

    const result = await syncJson(orgId);
    expect(result.code).toBe(1);
    expect(result.printed).toMatchObject({
      status: 'failed',
      counts: { created: 0, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 0 },
      // Graph refuses the app's token once consent is gone; the reason says who must do what.
      error: { code: 'Authorization_RequestDenied', message: expect.stringMatching(/ask a Global Administrator to connect Microsoft 365 again to grant consent\. Nobody was deactivated\.$/) },
    });
    const { message } = (result.printed as { error: { message: string } }).error;
    expect(result.stderr).toBe(`users-sync: ${message}\n`);
    expect(await run(['employees', '--org', orgId, '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });
  });

  describe('one run lifecycle with the api', () => {
    it('refuses a sync without Microsoft credentials in one line, leaving no run behind: a sync from the api starts at once after it', async () => {
      const orgId = await connectedOrganization();
      const failed = await runCli(cli.main, ['sync', '--org', orgId], { DATA_DIR: dataDir });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^users-sync: Users Sync has no Microsoft app registration: set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET[^\n]*\n$/);
      expect(await run(['runs', '--org', orgId, '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });

      const api = await apiOnSameDatabase();
      try {
        const asked = await api.services.syncJobs.request(orgId, { trigger: 'manual', dryRun: false, full: false });
        expect(asked.started).toBe(true);
        const settled = await eventually(async () => {
          const run = await api.services.store.runs.get(asked.run.id);
          return run?.status === 'queued' || run?.status === 'running' ? undefined : run;
        }, 'the api sync settles');
        expect(settled).toMatchObject({ status: 'succeeded', counts: { created: 3 } });
      } finally {
        await api.stop();
      }
    });

    it('stops a command-line sync that the api cancels: the run ends cancelled, nobody is deactivated, the command says so', async () => {
      const orgId = await connectedOrganization();
      expect((await syncJson(orgId)).printed).toMatchObject({ status: 'succeeded' });
      await emulator.control.disableUser(tenantId, 'bob@contoso.com');
      // Every Graph request takes a while: the sync is still reading when the cancel comes.
      await emulator.control.setFaults(tenantId, { latencyMs: 1500 });
      const syncing = run(['sync', '--org', orgId, '--full', '--json']);
      const api = await apiOnSameDatabase();
      try {
        const running = await runningRun(api, orgId);
        // Asked through the api, on a run another process holds: that process stops it.
        expect((await api.services.syncJobs.cancel(orgId, running.id)).status).toBe('running');
        const result = await syncing;
        expect(result.code).toBe(1);
        expect(JSON.parse(result.stdout)).toMatchObject({ runId: running.id, status: 'cancelled', error: { code: 'SYNC_CANCELLED' } });
        expect(await api.services.store.runs.get(running.id)).toMatchObject({ status: 'cancelled', counts: { deactivated: 0 } });
        expect(await api.services.store.employees.count(orgId, 'active')).toBe(3);
      } finally {
        await emulator.control.setFaults(tenantId, {});
        await api.stop();
      }
    });

    it('ends its sync cancelled on Ctrl-C, so the next sync need not wait for it', async () => {
      const orgId = await connectedOrganization();
      await emulator.control.setFaults(tenantId, { latencyMs: 1500 });
      let child: ChildProcess | undefined;
      const syncing = run(['sync', '--org', orgId, '--json'], (c) => (child = c));
      const api = await apiOnSameDatabase();
      try {
        const running = await runningRun(api, orgId);
        child!.kill('SIGINT');
        expect((await syncing).code).toBe(130);
        expect(await api.services.store.runs.get(running.id)).toMatchObject({ status: 'cancelled' });
        await emulator.control.setFaults(tenantId, {});
        expect((await api.services.syncJobs.request(orgId, { trigger: 'manual', dryRun: true, full: false })).started).toBe(true);
      } finally {
        await emulator.control.setFaults(tenantId, {});
        await api.stop();
      }
    });

    it('syncs a large group scope, throttled now and then, without an abort-listener warning', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 300; i += 1) {
        ids.push((await emulator.control.createUser(tenantId, { displayName: `u${i}`, userPrincipalName: `u${i}@contoso.com`, mail: `u${i}@contoso.com`, accountEnabled: true })).id);
      }
      await emulator.control.createGroup(tenantId, { displayName: 'arsen', memberIds: ids });
      const added = await run(['org', 'add', '--name', 'Contoso', '--tenant', tenantId]);
      const orgId = added.stdout.trim();
      await run(['scope', 'set', '--org', orgId, '--group-name', 'arsen']);
      // Requests wait for a slot and retries wait out Retry-After, all under the one run signal.
      await emulator.control.setFaults(tenantId, { throttleShare: 0.2, retryAfterSeconds: 0.05 });
      try {
        const result = await syncJson(orgId);
        expect(result.printed).toMatchObject({ status: 'succeeded', counts: { created: 300 } });
        expect(result.stderr).toBe('');
      } finally {
        await emulator.control.setFaults(tenantId, {});
      }
    });

    it('finds the emulator npm start runs by itself: no Microsoft variable, no certificate to trust by hand', async () => {
      const orgId = await connectedOrganization();
      // What npm start writes beside the api's data while its emulator runs.
      writeFileSync(path.join(dataDir, 'local-microsoft.json'), JSON.stringify({ clientId: app.clientId, clientSecret: app.clientSecret, url: emulator.url, caPath: devCaPath }));
      const result = await runCli(cli.main, ['sync', '--org', orgId, '--json'], { DATA_DIR: dataDir, NODE_EXTRA_CA_CERTS: '' });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded', counts: { created: 3 } });
    });

    it('ends quietly when its reader goes away (users-sync employees | head)', async () => {
      const orgId = await connectedOrganization();
      await syncJson(orgId);
      const result = await run(['employees', '--org', orgId], (child) => child.stdout?.destroy());
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });
  });
});
