import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../support/free-port';
import { repositoryRoot } from './app-package-harness';

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// jest decides at collection time whether PostgreSQL tests run, so probe synchronously in a child.
const { hostname, port } = new URL(serverUrl);
const postgresAnswers =
  spawnSync(process.execPath, ['-e', `require('net').connect(${Number(port) || 5432}, ${JSON.stringify(hostname)}).on('connect', () => process.exit(0)).on('error', () => process.exit(1))`], {
    timeout: 5000,
  }).status === 0;

async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface Served {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function serve(env: Record<string, string>): Served {
  const child = spawn(process.execPath, [path.join(repositoryRoot, 'scripts', 'serve.mjs')], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let rest = '';
  const collect = (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function healthy(url: string, served: Served, deadlineMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (served.child.exitCode !== null) throw new Error(`npm run serve exited early:\n${served.lines.join('\n')}`);
    try {
      const answer = await fetch(url);
      if (answer.status === 200) return (await answer.json()) as Record<string, unknown>;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer:\n${served.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const microsoft = { MICROSOFT_CLIENT_ID: '7b2e4c1a-3d5f-4e6a-8b9c-0d1e2f3a4b5c', MICROSOFT_CLIENT_SECRET: 'not-a-real-secret', PUBLIC_URL: 'https://sync.contoso.example' };

describe('npm run serve', () => {
  (postgresAnswers ? it : it.skip)(
    'runs the built api and bot in production on PostgreSQL, logging JSON lines, and stops both on SIGTERM',
    async () => {
      // A throwaway database: the api's tables and pg-boss's schema never meet another test's.
      const database = `users_sync_serve_${randomBytes(4).toString('hex')}`;
      await onServer((c) => c.query(`CREATE DATABASE ${database}`));
      const databaseUrl = new URL(serverUrl);
      databaseUrl.pathname = `/${database}`;
      const [apiPort, botPort] = [await freePort(), await freePort()];
      const served = serve({ ...microsoft, DATABASE_URL: databaseUrl.href, API_PORT: String(apiPort), BOT_PORT: String(botPort) });
      try {
        const api = await healthy(`http://127.0.0.1:${apiPort}/healthz`, served, 90_000);
        const bot = await healthy(`http://127.0.0.1:${botPort}/healthz`, served, 10_000);
        expect([api.service, bot.service]).toEqual(['api', 'bot']);
        served.child.kill('SIGTERM');
        expect(await served.exited).toBe(0);

        const logs = served.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(logs.find((l) => l.msg === 'api listening')).toMatchObject({ service: 'api', storage: 'postgres' });
        // Without Bot Framework credentials the bot says it listens on loopback only (local mode).
        expect(logs.find((l) => String(l.msg).startsWith('bot listening'))).toMatchObject({ service: 'bot' });
        expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['api stopping', 'bot stopping']));
        // No emulator in production.
        expect(served.lines.join('\n')).not.toMatch(/emulator/i);
      } finally {
        if (served.child.exitCode === null) served.child.kill('SIGKILL');
        await served.exited;
        await onServer((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      }
    },
    120_000,
  );

  it('refuses to start without PostgreSQL, naming DATABASE_URL', async () => {
    const served = serve({ ...microsoft });
    expect(await served.exited).toBe(1);
    const [line] = served.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(line).toMatchObject({ code: 'SERVE_DATABASE_REQUIRED' });
    expect(String(line!.msg)).toContain('DATABASE_URL');
  });

  it('refuses to start without the Microsoft app, since production has no emulator', async () => {
    const served = serve({ DATABASE_URL: 'postgres://users_sync@127.0.0.1:5432/users_sync', PUBLIC_URL: 'https://sync.contoso.example' });
    expect(await served.exited).toBe(1);
    expect(served.lines.join('\n')).toContain('MICROSOFT_CLIENT_ID is not set');
  });
});
