import { createCsvImport } from '@users-sync/api/http/csv-import/csv-import-service';
import type { Store } from '@users-sync/api/store/index';
import { sql } from 'kysely';
import { describeEachStore } from '../store/store-backends';

/** After a large import the next sync's lookups are planned on statistics that know the imported rows. */
describeEachStore('a large CSV import', (backend) => {
  let store: Store;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ store, done } = await backend.open());
  });
  afterEach(() => done());

  it('leaves the database planning on statistics that count what it wrote', async () => {
    const org = await store.organizations.create('Contoso');
    // Statistics taken of the empty table, as a run's start takes them.
    await store.employees.refreshPlannerStatistics();
    const csv = Buffer.from(`email,first name\n${Array.from({ length: 3_000 }, (_, i) => `person${i}@contoso.example,Person ${i}`).join('\n')}\n`);
    const imports = createCsvImport(store);
    const preview = await imports.preview(org.id, 'admin-1', csv, { missing: 'keep' });
    const run = await imports.apply(org.id, preview.id, csv);
    expect(run).toMatchObject({ status: 'succeeded', counts: { created: 3_000 } });
    if (store.kind !== 'postgres') return;
    // Right away: the statistics counters would tell the next run only seconds later.
    const { rows } = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = 'employees'::regclass`.execute(store.db);
    expect(Number(rows[0]!.reltuples)).toBe(3_000);
  });
});
