#!/usr/bin/env node
// `npm run serve`: Users Sync in production on one host — the built api (serving the built
// tab) and bot, without the emulator, NODE_ENV=production (JSON logs), on PostgreSQL.
// Reads the environment and env/.env.local like the api and bot themselves. Output is
// passed through untouched, one JSON object a line, for the host's log collector.
// It builds nothing: run `npm ci && npm run build` when you install or update.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const localEnvFile = path.join(root, 'env', '.env.local');
const env = { ...(existsSync(localEnvFile) ? parseDotenv(readFileSync(localEnvFile)) : {}), ...process.env };

function fail(code, message) {
  process.stderr.write(`${JSON.stringify({ level: 60, time: new Date().toISOString(), service: 'serve', code, msg: message })}\n`);
  process.exit(1);
}

const missingBuilds = ['api/dist/main.js', 'bot/dist/main.js', 'tabs/dist/index.html'].filter((file) => !existsSync(path.join(root, file)));
if (missingBuilds.length > 0) fail('SERVE_NOT_BUILT', `${missingBuilds.join(', ')} missing: run "npm ci && npm run build" first.`);
if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL ?? '')) {
  fail('SERVE_DATABASE_REQUIRED', 'DATABASE_URL must name the PostgreSQL database (postgres://user:password@host:5432/users_sync): production keeps its data and job queue there.');
}
for (const name of ['MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET', 'PUBLIC_URL']) {
  if (!env[name]?.trim()) fail('SERVE_MICROSOFT_REQUIRED', `${name} is not set: production talks to Microsoft, not the emulator (README, "Install in your tenant").`);
}

const apiPort = env.API_PORT || '3000';
const botPort = env.BOT_PORT || '3978';
const shared = {
  ...env,
  NODE_ENV: 'production',
  // One host: the two processes share a secret made at start unless one is given.
  NOTIFY_SECRET: env.NOTIFY_SECRET || randomBytes(24).toString('base64url'),
};
const children = [
  spawn(process.execPath, ['--disable-warning=DEP0111', path.join(root, 'api/dist/main.js')], {
    cwd: root,
    env: { ...shared, API_PORT: apiPort, BOT_URL: env.BOT_URL || `http://127.0.0.1:${botPort}` },
    stdio: ['ignore', 'inherit', 'inherit'],
  }),
  spawn(process.execPath, ['--disable-warning=DEP0111', path.join(root, 'bot/dist/main.js')], {
    cwd: root,
    env: { ...shared, BOT_PORT: botPort, API_URL: env.API_URL || `http://127.0.0.1:${apiPort}` },
    stdio: ['ignore', 'inherit', 'inherit'],
  }),
];

let stopping = false;
function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  if (running.length === 0) process.exit(exitCode);
  let left = running.length;
  for (const child of running) {
    child.once('exit', () => {
      left -= 1;
      if (left === 0) process.exit(exitCode);
    });
    child.kill('SIGTERM');
  }
  setTimeout(() => process.exit(exitCode), 10_000).unref();
}

for (const child of children) {
  child.once('exit', (code, signal) => {
    // Either process stopping on its own takes the other down, so a supervisor restarts both.
    if (!stopping) stopAll(code || (signal ? 1 : 0) || 1);
  });
}
process.on('SIGTERM', () => stopAll(0));
process.on('SIGINT', () => stopAll(0));
