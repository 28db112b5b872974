import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '@users-sync/emulator/index';
import { testCertificateDir } from '../../support/dev-certificate-path';
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

  const run = (args: string[]) =>
    runCli(cli.main, args, {
      DATA_DIR: dataDir,
      MICROSOFT_CLIENT_ID: app.clientId,
      MICROSOFT_CLIENT_SECRET: app.clientSecret,
      MICROSOFT_AUTHORITY_HOST: emulator.url,
      GRAPH_BASE_URL: emulator.url,
    });

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
});
