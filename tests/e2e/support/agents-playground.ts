import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../../support/dev-certificate-path';
import { freePort } from '../../support/free-port';

export interface PlaygroundPerson {
  tenantId: string;
  aadObjectId: string;
  name: string;
  email: string;
}

export interface RunningPlayground {
  url: string;
  stop(): Promise<void>;
}

/**
 * `npm run playground` (scripts/playground.mjs) as the README runs it, for a given person and
 * bot instead of the demo tenant's: Microsoft 365 Agents Playground on loopback, playing
 * Teams and the Bot Connector.
 */
export async function startAgentsPlayground(options: { botMessagesUrl: string; person: PlaygroundPerson }): Promise<RunningPlayground> {
  const configDir = mkdtempSync(path.join(os.tmpdir(), 'agents-playground-'));
  const port = await freePort();
  const { person } = options;
  const child = spawn(
    process.execPath,
    [
      path.join(repositoryRoot, 'scripts', 'playground.mjs'),
      ...['--port', String(port), '--bot', options.botMessagesUrl, '--config-dir', configDir],
      ...['--tenant', person.tenantId, '--object-id', person.aadObjectId, '--name', person.name, '--email', person.email],
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm run playground stopped (exit ${child.exitCode}): ${output}`);
    if (await fetch(`http://localhost:${port}/`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`the Agents Playground did not answer on port ${port}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url: `http://localhost:${port}/`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}
