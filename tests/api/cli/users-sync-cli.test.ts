import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCli, runCli } from './cli-process';

describe('the users-sync command line', () => {
  let cli: ReturnType<typeof buildCli>;
  let dataDir: string;
  const run = (args: string[], env: Record<string, string> = {}) => runCli(cli.main, args, { DATA_DIR: dataDir, ...env });

  beforeAll(() => {
    cli = buildCli();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-cli-data-'));
  });
  afterAll(() => {
    cli.done();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds an organization and prints its id, sets its scope, and lists its (empty) directory', async () => {
    const added = await run(['org', 'add', '--name', 'Contoso', '--tenant', 'contoso.onmicrosoft.com']);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const orgId = added.stdout.trim();
    expect(orgId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await run(['scope', 'set', '--org', orgId, '--group-name', 'arsen'])).toMatchObject({ code: 0, stdout: expect.stringContaining('group named "arsen"') });
    expect(await run(['scope', 'set', '--org', orgId, '--groups', 'g1,g2'])).toMatchObject({ code: 0 });
    expect(await run(['employees', '--org', orgId, '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });
  });

  it('refuses a scope given two ways, in one line', async () => {
    const orgId = (await run(['org', 'add', '--name', 'A', '--tenant', 't'])).stdout.trim();
    const result = await run(['scope', 'set', '--org', orgId, '--all', '--groups', 'g1']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^users-sync: give exactly one of --all, --group-name NAME, --groups ID,ID…\n$/);
  });

  it('says which organization is unknown, in one line, and exits non-zero', async () => {
    const result = await run(['sync', '--org', 'nope', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('users-sync: no organization with id nope (users-sync org add creates one)\n');
  });

  it('names a bad configuration variable in one line', async () => {
    const result = await run(['employees', '--org', 'x'], { DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/DATABASE_URL: expected a PostgreSQL URL/);
  });

  it('rejects an unknown command', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
