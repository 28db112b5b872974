import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformFileSync } from '@swc/core';
import { repositoryRoot } from '../../support/dev-certificate-path';

/** The api's sources transpiled once (swc, like jest), so the CLI runs as operators run it: a separate node process. */
export function buildCli(): { main: string; done: () => void } {
  const out = mkdtempSync(path.join(os.tmpdir(), 'users-sync-cli-'));
  const src = path.join(repositoryRoot, 'api', 'src');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const from = path.join(dir, name);
      if (statSync(from).isDirectory()) walk(from);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const to = path.join(out, path.relative(src, from)).replace(/\.ts$/, '.js');
        mkdirSync(path.dirname(to), { recursive: true });
        const { code } = transformFileSync(from, { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
        writeFileSync(to, code);
      }
    }
  };
  walk(src);
  return { main: path.join(out, 'cli', 'main.js'), done: () => rmSync(out, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end; `started` receives the process (to signal it, to close its stdout early). */
export function runCli(main: string, args: string[], env: Record<string, string>, started?: (child: ChildProcess) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      cwd: repositoryRoot,
      env: {
        PATH: process.env.PATH ?? '',
        // The transpiled files live outside the repository: let them find its packages.
        NODE_PATH: [path.join(repositoryRoot, 'node_modules'), path.join(repositoryRoot, 'api', 'node_modules')].join(path.delimiter),
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
        LOG_LEVEL: 'silent',
        ...env,
      },
    });
    started?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
