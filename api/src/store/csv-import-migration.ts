import { type Kysely, type Migration, sql } from 'kysely';

/** CSV import previews (bound to the file and the plan they showed), and managers named by email for employees not synced from Microsoft. */
export const csvImportMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('csv_import_previews')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('file_sha256', 'text', (c) => c.notNull())
      .addColumn('plan_digest', 'text', (c) => c.notNull())
      .addColumn('missing', 'text', (c) => c.notNull())
      .addColumn('has_errors', 'integer', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text')
      .addColumn('run_id', 'text')
      .execute();
    await db.schema.alterTable('employees').addColumn('manager_email', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists csv_import_previews`.execute(db);
  },
};
