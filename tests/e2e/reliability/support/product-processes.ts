import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { RunningEmulator, TenantSummary } from '@users-sync/emulator/index';
import { openStore, type Store } from '@users-sync/api/store/index';
import { devCaPath, repositoryRoot } from '../../../support/dev-certificate-path';
import { freePort } from '../../../support/free-port';
import { testDatabaseUrl } from '../../../api/store/store-backends';
import { guardOff, scopeOf, type ScopeKind, type StoreKind } from './sync-host';

/** The built api and command line, as operators run them (`npm run build` first). */
export const apiMain = path.join(repositoryRoot, 'api', 'dist', 'main.js');
export const cliMain = path.join(repositoryRoot, 'api', 'dist', 'cli', 'main.js');

/**
 * Where a product process keeps its data: a SQLite folder, or a PostgreSQL database of its
 * own (every session in it is the process's, and its pg-boss schema cannot meet another test's).
 */
export class ProductData {
  private constructor(
    readonly kind: StoreKind,
    readonly dataDir: string,
    readonly databaseUrl: string | undefined,
    private readonly database: string | undefined,
  ) {}

  static async create(kind: StoreKind): Promise<ProductData> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-reliability-process-'));
    if (kind === 'sqlite') return new ProductData(kind, dataDir, undefined, undefined);
    const database = `users_sync_reliability_${process.pid}_${randomBytes(3).toString('hex')}`;
    await adminQuery(`create database "${database}"`);
    return new ProductData(kind, dataDir, testDatabaseUrl.replace(/\/[^/]*$/, `/${database}`), database);
  }

  /** The environment a product process reads its storage from (through `databaseUrl`, e.g. a link a test can cut). */
  environment(databaseUrl = this.databaseUrl): Record<string, string> {
    return { DATA_DIR: this.dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
  }

  /** The database's own name (PostgreSQL), to end its sessions. */
  get databaseName(): string | undefined {
    return this.database;
  }

  /** The same storage, opened here (to prepare an organization, to read the directory). */
  open(): Promise<Store> {
    return openStore({ dataDir: this.dataDir, databaseUrl: this.databaseUrl });
  }

  /** An organization connected to the tenant, with its scope, as `users-sync org add` and `scope set` leave it. */
  async connectedOrganization(tenant: TenantSummary, scope: ScopeKind): Promise<string> {
    const store = await this.open();
    try {
      const organization = await store.organizations.create(tenant.displayName, tenant.tenantId);
      await store.connections.save(organization.id, tenant.tenantId, 'granted');
      await store.configurations.save(organization.id, { scope: scopeOf(scope), deletionGuard: guardOff });
      return organization.id;
    } finally {
      await store.close();
    }
  }

  async remove(): Promise<void> {
    rmSync(this.dataDir, { recursive: true, force: true });
    if (this.database) await adminQuery(`drop database if exists "${this.database}" with (force)`);
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** What every product process needs to reach the emulator as its Microsoft cloud. */
export function microsoftEnvironment(emulator: RunningEmulator, tenant: TenantSummary): Record<string, string> {
  return {
    MICROSOFT_CLIENT_ID: tenant.app.clientId,
    MICROSOFT_CLIENT_SECRET: tenant.app.clientSecret,
    MICROSOFT_AUTHORITY_HOST: emulator.url,
    GRAPH_BASE_URL: emulator.url,
    NODE_EXTRA_CA_CERTS: devCaPath,
  };
}

const baseEnvironment = () => ({ PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn' });

/** The api as `node api/dist/main.js` on a free port; `kill()` is SIGKILL, no goodbye. */
export class ApiProcess {
  private output = '';

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  static async start(environment: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [apiMain], {
      cwd: repositoryRoot,
      env: { ...baseEnvironment(), API_PORT: String(port), API_HOST: '127.0.0.1', PUBLIC_URL: url, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(child, url);
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the api exited (${child.exitCode}):\n${api.output}`);
      if (Date.now() - started > 60_000) throw new Error(`the api did not answer within 60 s:\n${api.output}`);
      const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) return api;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.output;
  }

  async call<T>(method: string, route: string, token: string, body?: unknown): Promise<{ status: number; headers: Headers; body: T }> {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  kill(): Promise<void> {
    return signal(this.child, 'SIGKILL');
  }

  stop(): Promise<void> {
    return signal(this.child, 'SIGTERM');
  }
}

function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(name);
  return exited;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `users-sync …` as a separate process. */
export function startCli(args: string[], environment: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [cliMain, ...args], { cwd: repositoryRoot, env: { ...baseEnvironment(), LOG_LEVEL: 'silent', ...environment }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signalName) => resolve({ code, signal: signalName, stdout, stderr }));
  });
  return { child, done };
}
