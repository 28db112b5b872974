import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropPostgresSchema, openStore, type Store, type StoreOptions } from '@users-sync/api/store/index';

/** The PostgreSQL the tests use: this machine's and CI's, trust auth, database `test`. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function postgresAnswers(): { ok: boolean; why: string } {
  const { hostname, port } = new URL(testDatabaseUrl);
  // jest needs to know at collection time whether to skip, so probe synchronously in a child.
  const probe = spawnSync(
    process.execPath,
    ['-e', `require('net').connect(${Number(port) || 5432}, ${JSON.stringify(hostname)}).on('connect', () => process.exit(0)).on('error', (e) => { console.log(e.message); process.exit(1); })`],
    { encoding: 'utf8', timeout: 5000 },
  );
  return probe.status === 0 ? { ok: true, why: '' } : { ok: false, why: probe.stdout.trim() || 'no answer within 5 s' };
}

const postgres = postgresAnswers();

/** Whether the PostgreSQL tests can run (for suites that choose per test rather than per describe). */
export const postgresAvailable = postgres.ok;

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty store of this kind; `done` removes everything it made. */
  open(extra?: Partial<StoreOptions>): Promise<{ store: Store; done: () => Promise<void> }>;
}

const sqliteBackend: StoreBackend = {
  name: 'sqlite',
  async open(extra = {}) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-store-'));
    const store = await openStore({ dataDir, ...extra });
    return {
      store,
      done: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

const postgresBackend: StoreBackend = {
  name: 'postgres',
  async open(extra = {}) {
    // A throwaway schema per store, so parallel runs and test files never see each other's rows.
    const schema = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const store = await openStore({ dataDir: os.tmpdir(), databaseUrl: testDatabaseUrl, schema, ...extra });
    return {
      store,
      done: async () => {
        await store.close();
        await dropPostgresSchema(testDatabaseUrl, schema);
      },
    };
  },
};

/** Runs the same specification on SQLite and, whenever a server answers, on PostgreSQL. */
export function describeEachStore(title: string, specification: (backend: StoreBackend) => void): void {
  describe(`${title} (SQLite)`, () => specification(sqliteBackend));
  if (postgres.ok) {
    describe(`${title} (PostgreSQL)`, () => specification(postgresBackend));
  } else {
    console.warn(`PostgreSQL tests skipped: ${testDatabaseUrl} is unreachable (${postgres.why}).`);
    describe.skip(`${title} (PostgreSQL: unreachable, ${postgres.why})`, () => specification(postgresBackend));
  }
}

/** PostgreSQL only (what the server itself does: ended sessions, lost connections); skipped, with the reason, when none answers. */
export function describePostgres(title: string, specification: (databaseUrl: string) => void): void {
  if (postgres.ok) describe(`${title} (PostgreSQL)`, () => specification(testDatabaseUrl));
  else describe.skip(`${title} (PostgreSQL: unreachable, ${postgres.why})`, () => specification(testDatabaseUrl));
}
