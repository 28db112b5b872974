import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { repositoryRoot } from '../support/dev-certificate-path';
import { freePort } from '../support/free-port';


function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of rows) {
      if (ppid !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function waitFor(output: () => string, pattern: RegExp, child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const failure =
        child.exitCode !== null ? `npm start exited early:\n${output()}` : Date.now() - started > ms ? `timed out waiting for ${pattern}:\n${output()}` : undefined;
      if (!pattern.test(output()) && !failure) return;
      clearInterval(timer);
      if (failure && !pattern.test(output())) reject(new Error(failure));
      else resolve();
    }, 100);
  });
}

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the emulator, the api and the bot, each answering /healthz, and Ctrl-C leaves nothing behind', async () => {
    const ports = { EMULATOR_PORT: await freePort(), API_PORT: await freePort(), BOT_PORT: await freePort() };
    let output = '';
    const launcher = spawn(process.execPath, [path.join(repositoryRoot, 'scripts', 'start.mjs')], {
      cwd: repositoryRoot,
      env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR: dataDir, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));

    try {
      await waitFor(() => output, /Press Ctrl-C to stop/, launcher, 150_000);
      expect(output).toContain(`emulator  https://localhost:${ports.EMULATOR_PORT}`);
      expect(output).toContain(`api       http://localhost:${ports.API_PORT}`);
      expect(output).toContain(`bot       http://localhost:${ports.BOT_PORT}`);

      for (const [service, url] of [
        ['api', `http://127.0.0.1:${ports.API_PORT}/healthz`],
        ['bot', `http://127.0.0.1:${ports.BOT_PORT}/healthz`],
        ['emulator', `https://localhost:${ports.EMULATOR_PORT}/healthz`],
      ] as const) {
        // npm start made its own development CA in the data folder it was given.
        const ca = readFileSync(path.join(dataDir, 'certs', 'dev-ca.pem'), 'utf8');
        const dispatcher = new Agent({ connect: { ca } });
        const res = await fetch(url, { dispatcher } as RequestInit);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { status: string; service: string; version: string };
        expect(body).toMatchObject({ status: 'ok', service });
        expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
      }
      // The api serves the built admin tab at its root.
      const tab = await fetch(`http://127.0.0.1:${ports.API_PORT}/`);
      expect(tab.status).toBe(200);
      expect(await tab.text()).toContain('<div id="root">');

      const children = descendants(launcher.pid!);
      expect(children.length).toBeGreaterThanOrEqual(3);
      // The command line finds the emulator npm start runs, with nothing to set.
      expect(JSON.parse(readFileSync(path.join(dataDir, 'local-microsoft.json'), 'utf8'))).toMatchObject({ url: `https://localhost:${ports.EMULATOR_PORT}` });
      launcher.kill('SIGINT');
      await new Promise((resolve) => launcher.once('exit', resolve));
      // 128 + SIGINT's number, as a shell reports an interrupted command.
      expect(launcher.exitCode).toBe(130);
      await new Promise((r) => setTimeout(r, 300));
      expect(children.filter(alive)).toEqual([]);
    } finally {
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
    }
  });

  it('stops every child when SIGTERM reaches npm alone (as a container runtime sends it), leaving no port taken', async () => {
    const ports = { EMULATOR_PORT: await freePort(), API_PORT: await freePort(), BOT_PORT: await freePort() };
    let output = '';
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: repositoryRoot,
      env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR: dataDir, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitFor(() => output, /Press Ctrl-C to stop/, npm, 150_000);
      const children = descendants(npm.pid!);
      expect(children.length).toBeGreaterThanOrEqual(4);
      process.kill(npm.pid!, 'SIGTERM');
      const stopped = Date.now();
      while (children.some(alive) && Date.now() - stopped < 15_000) await new Promise((r) => setTimeout(r, 200));
      expect(children.filter(alive)).toEqual([]);
      for (const port of Object.values(ports)) {
        const free = await new Promise<boolean>((resolve) => {
          const probe = net.createServer().once('error', () => resolve(false));
          probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
        });
        expect(free).toBe(true);
      }
    } finally {
      for (const pid of descendants(npm.pid!)) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (npm.exitCode === null) npm.kill('SIGKILL');
    }
  });

  it('refuses a port already in use, naming the port and the variable that moves it', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)));
    try {
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        let output = '';
        const launcher = spawn(process.execPath, [path.join(repositoryRoot, 'scripts', 'start.mjs')], {
          cwd: repositoryRoot,
          env: { ...process.env, API_PORT: String(port), DATA_DIR: dataDir },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        launcher.stdout.on('data', (d: Buffer) => (output += d.toString()));
        launcher.stderr.on('data', (d: Buffer) => (output += d.toString()));
        launcher.once('exit', (code) => resolve({ code, output }));
      });
      expect(result.code).toBe(1);
      expect(result.output).toContain(`port ${port} (for the api) is already in use`);
      expect(result.output).toContain('set API_PORT to another port');
    } finally {
      blocker.close();
    }
  });
});
