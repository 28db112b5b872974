#!/usr/bin/env node
// `npm start`: the emulator, the api (serving the built tab) and the bot in one
// foreground command. Builds what is missing or stale first, waits for each /healthz,
// prints one line per process, and stops every child on Ctrl-C or SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const localEnvFile = path.join(root, 'env', '.env.local');
const env = { ...(existsSync(localEnvFile) ? parseDotenv(readFileSync(localEnvFile)) : {}), ...process.env };
const HEALTH_DEADLINE_MS = 60_000;
// Where the api keeps its data; the command line finds the running emulator's settings here.
const localEmulatorFile = path.join(env.DATA_DIR || path.join(root, 'data'), 'local-microsoft.json');

const color = process.stdout.isTTY ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;

function fail(message) {
  process.stderr.write(`${color(31, 'npm start:')} ${message}\n`);
  process.exit(1);
}

function portFrom(variable, fallback) {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${variable} must be a port number from 1 to 65535 (got "${raw}").`);
  return port;
}

const ports = {
  emulator: portFrom('EMULATOR_PORT', 4000),
  api: portFrom('API_PORT', 3000),
  bot: portFrom('BOT_PORT', 3978),
};
const useEmulator = !env.MICROSOFT_CLIENT_ID;

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

// --- build what is missing or older than its sources -------------------------------

function newestMtime(file) {
  if (!statSync(file).isDirectory()) return statSync(file).mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(file)) newest = Math.max(newest, newestMtime(path.join(file, entry)));
  return newest;
}

function needsBuild(workspace, output, sources) {
  const built = path.join(root, workspace, output);
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return sources.some((s) => existsSync(path.join(root, s)) && newestMtime(path.join(root, s)) > builtAt);
}

const builds = [
  { workspace: 'emulator', output: 'dist/cli.js', sources: ['emulator/src'] },
  { workspace: 'api', output: 'dist/main.js', sources: ['api/src'] },
  { workspace: 'bot', output: 'dist/main.js', sources: ['bot/src', 'api/src/service', 'api/src/contract'] },
  { workspace: 'tabs', output: 'dist/index.html', sources: ['tabs/src', 'tabs/index.html', 'api/src/contract'] },
];

function buildWhatIsMissing() {
  for (const b of builds) {
    if (!needsBuild(b.workspace, b.output, b.sources)) continue;
    process.stdout.write(`building ${b.workspace}…\n`);
    const result = spawnSync('npm', ['run', 'build', '--silent', '-w', b.workspace], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) fail(`the ${b.workspace} build failed (see above). Fix it, or run "npm run build" to see every error.`);
  }
}

// --- children ----------------------------------------------------------------------

const children = new Map();
let stopping = false;

function prefixLines(stream, name, target) {
  const lines = createInterface({ input: stream });
  lines.on('line', (line) => target.write(`${color(90, name.padEnd(8))} ${line}\n`));
}

function startChild(name, script, args, childEnv, { readyLine = false } = {}) {
  // restify's HTTP/2 dependency touches a deprecated binding; the warning says nothing to our users.
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', path.join(root, script), ...args], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stopping it stops everything it started
  });
  children.set(name, child);
  prefixLines(child.stderr, name, process.stderr);
  let onReady;
  const ready = new Promise((resolve) => (onReady = resolve));
  if (readyLine) {
    const lines = createInterface({ input: child.stdout });
    let first = true;
    lines.on('line', (line) => {
      if (first) {
        first = false;
        try {
          return onReady(JSON.parse(line));
        } catch {
          // not the ready line: show it like any other
        }
      }
      process.stdout.write(`${color(90, name.padEnd(8))} ${line}\n`);
    });
  } else {
    prefixLines(child.stdout, name, process.stdout);
    onReady(undefined);
  }
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stderr.write(`${color(31, `${name} stopped unexpectedly`)} (${signal ?? `exit code ${code}`}); stopping the others.\n`);
      void stopAll(1);
    }
  });
  return ready;
}

function get(url, ca) {
  return new Promise((resolve) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function waitHealthy(name, url, ca) {
  const deadline = Date.now() + HEALTH_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (!children.has(name)) fail(`${name} exited before answering ${url}.`);
    if (await get(url, ca)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`${name} did not answer ${url} within ${HEALTH_DEADLINE_MS / 1000} s.`);
}

async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  const waits = [...children.values()].map(
    (child) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          resolve();
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 5000).unref();
      }),
  );
  await Promise.all(waits);
  rmSync(localEmulatorFile, { force: true });
  process.exit(exitCode);
}

// The status says how it ended: 128 + the signal's number, as a shell reports it.
process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));
process.on('SIGHUP', () => void stopAll(129));

// A SIGTERM to `npm start` alone may end npm without reaching this launcher: once the parent
// is gone, stop every child rather than leave them holding their ports.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stopAll(143);
}, 500).unref();

// --- main --------------------------------------------------------------------------

const wanted = [
  ...(useEmulator ? [['emulator', ports.emulator, 'EMULATOR_PORT']] : []),
  ['api', ports.api, 'API_PORT'],
  ['bot', ports.bot, 'BOT_PORT'],
];
for (const [name, port, variable] of wanted) {
  if (!(await portIsFree(port))) fail(`port ${port} (for the ${name}) is already in use. Stop what is using it, or set ${variable} to another port.`);
}

buildWhatIsMissing();

const notifySecret = env.NOTIFY_SECRET || randomBytes(24).toString('base64url');
const shared = { ...env, NODE_ENV: env.NODE_ENV ?? 'development', NOTIFY_SECRET: notifySecret };
const lines = [];

let microsoft = {};
let emulatorCa;
if (useEmulator) {
  const ready = await startChild('emulator', 'emulator/dist/cli.js', ['--port', String(ports.emulator), '--demo', '--allow-http-loopback-notifications'], shared, { readyLine: true });
  emulatorCa = readFileSync(ready.caPath);
  await waitHealthy('emulator', `${ready.url}/healthz`, emulatorCa);
  microsoft = {
    MICROSOFT_CLIENT_ID: ready.clientId ?? '',
    MICROSOFT_CLIENT_SECRET: ready.clientSecret ?? '',
    MICROSOFT_AUTHORITY_HOST: ready.url,
    GRAPH_BASE_URL: ready.url,
    // api and bot trust the emulator's development CA, exactly as they trust Microsoft's.
    NODE_EXTRA_CA_CERTS: ready.caPath,
  };
  writeFileSync(localEmulatorFile, `${JSON.stringify({ clientId: ready.clientId, clientSecret: ready.clientSecret, url: ready.url, caPath: ready.caPath })}\n`, { mode: 0o600 });
  const tenant = ready.domain ? `  demo tenant ${ready.domain}` : '';
  lines.push(`emulator  ${ready.url}${tenant}`);
}

const apiUrl = `http://localhost:${ports.api}`;
const botUrl = `http://localhost:${ports.bot}`;
startChild('api', 'api/dist/main.js', [], { ...shared, ...microsoft, API_PORT: String(ports.api), BOT_URL: `http://127.0.0.1:${ports.bot}` });
startChild('bot', 'bot/dist/main.js', [], { ...shared, ...microsoft, BOT_PORT: String(ports.bot), API_URL: `http://127.0.0.1:${ports.api}` });
await Promise.all([waitHealthy('api', `http://127.0.0.1:${ports.api}/healthz`), waitHealthy('bot', `http://127.0.0.1:${ports.bot}/healthz`)]);
lines.push(`api       ${apiUrl}  (admin tab at ${apiUrl}/)`);
lines.push(`bot       ${botUrl}  (Teams messages at /api/messages, local mode without BOT_ID)`);

process.stdout.write(`\n${color(32, 'Users Sync is running')}\n${lines.map((l) => `  ${l}`).join('\n')}\nPress Ctrl-C to stop.\n\n`);
