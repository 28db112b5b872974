import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { compareEmployee } from '@users-sync/api/domain/index';
import { openStore, type Store } from '@users-sync/api/store/index';
import { WalCheckpoints, checkpointOnCommitPages } from '@users-sync/api/store/wal-checkpoints';
import { sql } from 'kysely';
import { employeeAttributes } from '../employee-attributes';

/**
 * A large sync's WAL is copied back into the database beside the event loop, not on the commits
 * of the sync (https://www.sqlite.org/wal.html#checkpointing: any connection may checkpoint).
 */
describe("a SQLite store's WAL checkpoints", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-wal-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const file = () => path.join(dataDir, 'users-sync.sqlite');
  const autocheckpoint = async (store: Store) => Number((await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db)).rows[0]!.wal_autocheckpoint);

  async function writeEmployees(store: Store, organizationId: string, from: number, count: number): Promise<void> {
    for (let start = from; start < from + count; start += 5_000) {
      const changes = Array.from({ length: Math.min(5_000, from + count - start) }, (_, i) =>
        compareEmployee(undefined, `entra-${start + i}`, employeeAttributes(`person${start + i}@contoso.com`, { displayName: `Person ${start + i}`, department: `Department ${i % 40}` })),
      );
      await store.transaction((t) => t.employees.applyChanges(organizationId, changes, store.now()));
    }
  }

  it('are made by a background thread once a large directory was written, and closing leaves no WAL behind', async () => {
    const store = await openStore({ dataDir });
    const org = await store.organizations.create('Contoso');
    await writeEmployees(store, org.id, 0, 1_000);
    // A small store checkpoints on its commits, as SQLite does.
    expect(await autocheckpoint(store)).toBe(checkpointOnCommitPages);

    await writeEmployees(store, org.id, 1_000, 40_000);
    // The store's own connection keeps only a distant backstop: what reaches the database file now, the thread copied.
    expect(await autocheckpoint(store)).toBeGreaterThan(100_000);
    const before = statSync(file()).size;
    await writeEmployees(store, org.id, 41_000, 20_000);
    const deadline = Date.now() + 10_000;
    while (statSync(file()).size <= before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(file()).size).toBeGreaterThan(before);
    expect(await store.employees.count(org.id)).toBe(61_000);

    await store.close();
    expect(existsSync(`${file()}-wal`)).toBe(false);
    const reopened = await openStore({ dataDir });
    expect(await reopened.employees.count(org.id)).toBe(61_000);
    await reopened.close();
  });

  it('go back to the commits when the background thread fails, and say so', async () => {
    const sqlite = new SqliteDatabase(file());
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`wal_autocheckpoint = ${checkpointOnCommitPages}`);
    // A WAL past the threshold beside a database the thread cannot open: it fails at once.
    const missing = path.join(dataDir, 'gone.sqlite');
    writeFileSync(`${missing}-wal`, Buffer.alloc(17 * 1024 * 1024));
    const failures: Error[] = [];
    const checkpoints = new WalCheckpoints(sqlite, missing, (error) => failures.push(error));
    checkpoints.afterCommit();
    expect(checkpoints.inBackground).toBe(true);
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(100_000);
    const deadline = Date.now() + 10_000;
    while (failures.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(failures).toHaveLength(1);
    expect(checkpoints.inBackground).toBe(false);
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(checkpointOnCommitPages);
    // It does not try again on every commit.
    checkpoints.afterCommit();
    expect(checkpoints.inBackground).toBe(false);
    await checkpoints.close();
    sqlite.close();
  });
});
