import { type Kysely, type Migration, sql } from 'kysely';

/** Who may use an organization, how its people sign in, consent states, one active run per organization. */
export const accessMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('organizations').addColumn('tenant_id', 'text').execute();
    await db.schema.alterTable('organizations').addColumn('tenant_name', 'text').execute();
    await db.schema.alterTable('organizations').addColumn('email_provider', 'text').execute();
    await db.schema.alterTable('organizations').addColumn('email_domain', 'text').execute();
    await db.schema.alterTable('organizations').addColumn('provider_evidence', 'text').execute();
    await db.schema.alterTable('organizations').addColumn('provider_detected_at', 'text').execute();
    await db.schema.createIndex('organizations_tenant').on('organizations').column('tenant_id').unique().execute();

    await db.schema
      .createTable('organization_members')
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('user_object_id', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('organization_members_pk', ['organization_id', 'user_object_id'])
      .execute();

    await db.schema
      .createTable('consent_states')
      .addColumn('nonce', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .execute();

    await db.schema
      .createTable('service_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema.alterTable('sync_runs').addColumn('cancel_requested_at', 'text').execute();
    // The database referees "one sync at a time per organization", across api instances.
    await sql`create unique index sync_runs_one_active on sync_runs (organization_id) where status in ('queued', 'running')`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index if exists sync_runs_one_active`.execute(db);
    for (const table of ['service_secrets', 'consent_states', 'organization_members']) await sql`drop table if exists ${sql.table(table)}`.execute(db);
  },
};
