import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { RunningEmulator, TenantSummary } from '@users-sync/emulator/index';
import { startTestEmulator } from '../../emulator/emulator-harness';
import { repositoryRoot } from '../../support/dev-certificate-path';
import { freePort } from '../../support/free-port';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const apiMain = path.join(repositoryRoot, 'api', 'dist', 'main.js');

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}


async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 150; i += 1) {
    if (child.exitCode !== null) throw new Error(`api exited: ${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`api never answered: ${output()}`);
}

type Run = { id: string; status: string };

describe('two api instances on one PostgreSQL database', () => {
  const database = `users_sync_two_${process.pid}_${Date.now()}`;
  const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${database}`);
  let available = false;
  let emulator: RunningEmulator;
  let tenant: TenantSummary;
  let app: { clientId: string; clientSecret: string };
  const clientId = () => app.clientId;
  const instances: Array<{ url: string; child: ChildProcess; output: string; dataDir: string }> = [];

  beforeAll(async () => {
    if (!existsSync(apiMain)) throw new Error(`${apiMain} is missing: run "npm run build" first (npm test does).`);
    available = await postgresAnswers();
    if (!available) {
      console.warn(`PostgreSQL does not answer at ${adminUrl}: the two-instance test is skipped.`);
      return;
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database "${database}"`);
    await admin.end();

    emulator = await startTestEmulator();
    const port = [await freePort(), await freePort()];
    app = await emulator.control.registerApp({
      displayName: 'Users Sync',
      redirectUris: port.map((p) => `http://127.0.0.1:${p}/api/microsoft/consent/callback`),
      requiredPermissions: ['User.Read.All', 'Group.Read.All', 'GroupMember.Read.All', 'Directory.Read.All'],
    });
    tenant = await emulator.control.createTenant({ users: 300, groups: 3, seed: 8, consentedApps: [app.clientId] });
    for (const p of port) {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-instance-'));
      const child = spawn(process.execPath, ['--disable-warning=DEP0111', apiMain], {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          API_PORT: String(p),
          PUBLIC_URL: `http://127.0.0.1:${p}`,
          DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          MICROSOFT_CLIENT_ID: app.clientId,
          MICROSOFT_CLIENT_SECRET: app.clientSecret,
          MICROSOFT_AUTHORITY_HOST: emulator.url,
          GRAPH_BASE_URL: emulator.url,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const instance = { url: `http://127.0.0.1:${p}`, child, output: '', dataDir };
      child.stdout!.on('data', (d: Buffer) => (instance.output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (instance.output += d.toString()));
      instances.push(instance);
    }
    await Promise.all(instances.map((i) => waitHealthy(i.url, i.child, () => i.output)));
  }, 60_000);

  afterAll(async () => {
    for (const i of instances) if (i.child.exitCode !== null) console.warn(`an api instance stopped early:\n${i.output}`);
    for (const i of instances) {
      i.child.kill('SIGTERM');
      await new Promise((r) => (i.child.exitCode !== null ? r(undefined) : i.child.once('exit', r)));
      rmSync(i.dataDir, { recursive: true, force: true });
    }
    if (emulator) await emulator.close();
    if (available) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists "${database}" with (force)`);
      await admin.end();
    }
  });

  const call = async <T>(url: string, token: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('runs one sync per organization however many instances are asked at once', async () => {
    if (!available) return;
    const [a, b] = instances as [(typeof instances)[number], (typeof instances)[number]];
    const token = (await emulator.control.token(tenant.tenantId, { user: tenant.admin!.userPrincipalName, clientId: clientId(), audience: clientId(), scopes: ['access_as_user'] })).accessToken;

    // Sign in through A (the organization is created), connect through B.
    expect((await call(`${a.url}/api/me`, token)).status).toBe(200);
    const consent = await call<{ consentUrl: string }>(`${b.url}/api/microsoft/consent`, token, 'POST');
    const page = new URL(consent.body.consentUrl);
    const accepted = await fetch(page, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ ...Object.fromEntries(page.searchParams), username: tenant.admin!.userPrincipalName, action: 'accept' }) });
    const back = await fetch(accepted.headers.get('location')!, { redirect: 'manual' });
    expect(new URL(back.headers.get('location')!).searchParams.get('consent')).toBe('connected');

    for (let round = 0; round < 2; round += 1) {
      const answers = await Promise.all([a, b, a, b, a, b].map((i) => call<Run>(`${i.url}/api/sync/runs`, token, 'POST', {})));
      expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
      const ids = new Set(answers.map((r) => r.body.id));
      expect(ids.size).toBe(1);
      const runId = answers[0]!.body.id;
      let run: Run | undefined;
      for (let i = 0; i < 300 && run?.status !== 'succeeded'; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        run = (await call<Run>(`${(i % 2 ? a : b).url}/api/sync/runs/${runId}`, token)).body;
        expect(['queued', 'running', 'succeeded']).toContain(run.status);
      }
      expect(run?.status).toBe('succeeded');
    }
    const history = await call<{ runs: Run[] }>(`${a.url}/api/sync/runs?limit=50`, token);
    expect(history.body.runs).toHaveLength(2);
    expect(history.body.runs.every((r) => r.status === 'succeeded')).toBe(true);
    const employees = await call<{ total: number }>(`${b.url}/api/employees`, token);
    expect(employees.body.total).toBeGreaterThan(200);
  });
});
