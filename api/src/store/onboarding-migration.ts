import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Onboarding links (only the hash of their secret is kept), the runs a link's console
 * started, and members the owner removed or invited by email.
 */
export const onboardingMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('onboarding_links')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('created_by_object_id', 'text', (c) => c.notNull())
      .addColumn('created_by_name', 'text', (c) => c.notNull())
      .addColumn('created_by_email', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('opened_at', 'text')
      .addColumn('signed_in_email', 'text')
      .addColumn('signed_in_at', 'text')
      .addColumn('consented_at', 'text')
      .addColumn('completed_at', 'text')
      .addColumn('revoked_at', 'text')
      .addColumn('revoked_by_name', 'text')
      .addColumn('delivery_status', 'text', (c) => c.notNull())
      .addColumn('delivery_reason', 'text')
      .addColumn('delivery_at', 'text')
      .execute();
    await db.schema.createIndex('onboarding_links_organization').on('onboarding_links').columns(['organization_id', 'created_at']).execute();

    await db.schema
      .createTable('onboarding_link_runs')
      .addColumn('link_id', 'text', (c) => c.notNull().references('onboarding_links.id').onDelete('cascade'))
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('onboarding_link_runs_pk', ['link_id', 'run_id'])
      .execute();

    // How each got the role is granted_by, from 0010_trust (which runs after this one on a fresh database).
    await db.schema.alterTable('organization_members').addColumn('removed_at', 'text').execute();
    await db.schema.alterTable('organization_members').addColumn('invited_email', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['onboarding_link_runs', 'onboarding_links']) await sql`drop table if exists ${sql.table(table)}`.execute(db);
  },
};
