import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';

export const repositoryRoot = path.resolve(__dirname, '..', '..');
export const appPackageDir = path.join(repositoryRoot, 'appPackage');

/** Values a provisioned environment would hold. */
export const provisionedEnvironment: Record<string, string> = {
  TEAMSFX_ENV: 'local',
  TAB_ENDPOINT: 'https://sync.contoso.example',
  TAB_DOMAIN: 'sync.contoso.example',
  BOT_ENDPOINT: 'https://bot.contoso.example',
  DEVELOPER_NAME: 'Contoso IT',
  DEVELOPER_WEBSITE_URL: 'https://contoso.example',
  DEVELOPER_PRIVACY_URL: 'https://contoso.example/privacy',
  DEVELOPER_TERMS_OF_USE_URL: 'https://contoso.example/terms',
  TEAMS_APP_ID: '0d7c7f4e-8f65-4a3e-9d7d-2f6a1c1b9e01',
  AAD_APP_CLIENT_ID: '7b2e4c1a-3d5f-4e6a-8b9c-0d1e2f3a4b5c',
  AAD_APP_OBJECT_ID: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
  AAD_APP_ACCESS_AS_USER_PERMISSION_ID: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
  BOT_ID: '6a3e0c2b-7f0e-4a1b-9c8d-5e4f3a2b1c0d',
};

export interface Workspace {
  dir: string;
  appPackageDir: string;
  envDir: string;
  outDir: string;
}

/** A scratch copy of appPackage/ and an env folder, so a test can break things safely. */
export function workspace(envName: string, values: Record<string, string | undefined> = provisionedEnvironment): Workspace {
  const dir = mkdtempSync(path.join(tmpdir(), 'users-sync-package-'));
  const copy = path.join(dir, 'appPackage');
  cpSync(appPackageDir, copy, { recursive: true, filter: (source) => !path.relative(appPackageDir, source).startsWith('build') });
  const envDir = path.join(dir, 'env');
  cpSync(path.join(repositoryRoot, 'env'), envDir, { recursive: true });
  const lines = Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${value}`);
  writeFileSync(path.join(envDir, `.env.${envName}`), `${lines.join('\n')}\n`);
  return { dir, appPackageDir: copy, envDir, outDir: path.join(dir, 'out') };
}

export interface PackageRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run package` (its script) against a workspace, with the network refused. */
export function runPackage(ws: Workspace, envName: string): Promise<PackageRun> {
  const args = [
    '--import',
    pathToFileURL(path.join(__dirname, 'no-network.mjs')).href,
    path.join(repositoryRoot, 'scripts', 'package.mjs'),
    '--env',
    envName,
    '--env-dir',
    ws.envDir,
    '--app-package-dir',
    ws.appPackageDir,
    '--out',
    ws.outDir,
  ];
  return new Promise((resolve, reject) => {
    // A bare environment: nothing from the test runner's shell fills a variable in.
    const child = spawn(process.execPath, args, { cwd: repositoryRoot, env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function readZip(file: string): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(unzipSync(readFileSync(file))).map(([name, bytes]) => [name, Buffer.from(bytes)]));
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}
