import { type Kysely, type Migration, sql } from 'kysely';

/** Where each member's rights come from, one owner per organization, and the ownership audit log. */
export const trustMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // 'creator' (first sign-in), 'directory_role' (re-checked on every token), 'owner' (added by hand), 'ownership' (took or was given it).
    await db.schema.alterTable('organization_members').addColumn('granted_by', 'text', (c) => c.notNull().defaultTo('owner')).execute();
    // Until now admins could only join through an Entra directory role.
    await sql`update organization_members set granted_by = case when role = 'owner' then 'creator' else 'directory_role' end`.execute(db);
    await sql`create unique index organization_members_one_owner on organization_members (organization_id) where role = 'owner'`.execute(db);
    await db.schema
      .createTable('organization_audit')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('actor_object_id', 'text', (c) => c.notNull())
      .addColumn('actor_email', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('organization_audit_organization').on('organization_audit').columns(['organization_id', 'at']).execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists organization_audit`.execute(db);
    await sql`drop index if exists organization_members_one_owner`.execute(db);
  },
};
