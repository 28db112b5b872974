import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../support/dev-certificate-path';
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

  it('is linked by npm install before anything is built: its bin is a committed, executable file that runs the built command', () => {
    const api = path.join(repositoryRoot, 'api');
    const { bin } = JSON.parse(readFileSync(path.join(api, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const target = path.join(api, bin['users-sync']!);
    // npm links a workspace's bin only when the file exists at install time: a file under dist/ does not yet.
    expect(execFileSync('git', ['ls-files', '--error-unmatch', path.relative(repositoryRoot, target)], { cwd: repositoryRoot, encoding: 'utf8' }).trim()).toBe(`api/${bin['users-sync']}`);
    accessSync(target, constants.X_OK);
    const help = spawnSync(target, ['--help'], { cwd: os.tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir } });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage:\n {2}users-sync org add/);
  });
});
