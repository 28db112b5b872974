import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { openStore } from '@users-sync/api/store/index';

describe('bringing the database up to date', () => {
  it('starts again after a stop in the middle of a migration SQLite ran without a transaction (0012: new index made, old one not yet dropped)', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-migrations-'));
    try {
      await (await openStore({ dataDir })).close();
      // The state a stop between 0012's two steps leaves: the new index exists, the old one too, the migration unrecorded.
      const file = new SqliteDatabase(path.join(dataDir, 'users-sync.sqlite'));
      file.exec("delete from kysely_migration where name = '0012_employees_status_walk'; create index employees_status on employees (organization_id, status);");
      file.close();

      const store = await openStore({ dataDir });
      await store.close();
      const after = new SqliteDatabase(path.join(dataDir, 'users-sync.sqlite'), { readonly: true });
      const indexes = after.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'employees' and name like 'employees_status%'").pluck().all();
      after.close();
      expect(indexes).toEqual(['employees_status_id']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
