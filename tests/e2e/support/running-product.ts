import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../support/dev-certificate-path';
import { freePort } from '../../support/free-port';

export interface RunningProduct {
  apiUrl: string;
  emulatorUrl: string;
  botUrl: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * The product exactly as `npm start` runs it (emulator with the demo tenant, api serving
 * the built tab, bot), on free ports and a throwaway data folder.
 */
export async function startProduct(readyWithinMs = 150_000): Promise<RunningProduct> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-e2e-'));
  const ports = { EMULATOR_PORT: await freePort(), API_PORT: await freePort(), BOT_PORT: await freePort() };
  let output = '';
  const launcher: ChildProcess = spawn(process.execPath, [path.join(repositoryRoot, 'scripts', 'start.mjs')], {
    cwd: repositoryRoot,
    env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (launcher.exitCode === null) {
      launcher.kill('SIGINT');
      await new Promise((resolve) => launcher.once('exit', resolve));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const started = Date.now();
  while (!/Press Ctrl-C to stop/.test(output)) {
    if (launcher.exitCode !== null || Date.now() - started > readyWithinMs) {
      await stop();
      throw new Error(`npm start did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    apiUrl: `http://localhost:${ports.API_PORT}`,
    emulatorUrl: `https://localhost:${ports.EMULATOR_PORT}`,
    botUrl: `http://localhost:${ports.BOT_PORT}`,
    dataDir,
    output: () => output,
    stop,
  };
}
