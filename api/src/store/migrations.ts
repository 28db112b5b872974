import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { accessMigration } from './access-migration';
import { onboardingMigration } from './onboarding-migration';
import { csvImportMigration } from './csv-import-migration';
import { botConversationsMigration } from './bot-conversations-migration';
import { runLifecycleMigration } from './run-lifecycle-migration';
import { trustMigration } from './trust-migration';

/**
 * Versioned migrations, in code so the built api carries them. Never edit a released
 * migration: add the next one.
 */
const migrations: Record<string, Migration> = {
  '0001_directory': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('microsoft_connections')
        .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('consent_state', 'text', (c) => c.notNull())
        .addColumn('consented_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('microsoft_connections_tenant').on('microsoft_connections').column('tenant_id').execute();

      await db.schema
        .createTable('sync_configurations')
        .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('include_guests', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('exclusions', 'text', (c) => c.notNull())
        .addColumn('deletion_guard', 'text', (c) => c.notNull())
        .addColumn('schedule', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('employees')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('entra_object_id', 'text')
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('given_name', 'text')
        .addColumn('surname', 'text')
        .addColumn('display_name', 'text')
        .addColumn('department', 'text')
        .addColumn('job_title', 'text')
        .addColumn('office_location', 'text')
        .addColumn('city', 'text')
        .addColumn('country', 'text')
        .addColumn('preferred_language', 'text')
        .addColumn('entra_employee_id', 'text')
        .addColumn('company_name', 'text')
        .addColumn('manager_entra_id', 'text')
        .addColumn('attributes_hash', 'text')
        .addColumn('first_seen_at', 'text', (c) => c.notNull())
        .addColumn('last_synced_at', 'text')
        .addColumn('deactivated_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // One record per Entra user and organization: the upsert target, and what makes reactivation keep the same record.
      await db.schema.createIndex('employees_entra_object').on('employees').columns(['organization_id', 'entra_object_id']).unique().execute();
      await db.schema.createIndex('employees_status').on('employees').columns(['organization_id', 'status']).execute();
      await db.schema.createIndex('employees_email').on('employees').columns(['organization_id', 'email']).execute();

      await db.schema
        .createTable('sync_runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('dry_run', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('phase', 'text')
        .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('deactivated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reactivated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('users_read', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('graph_requests', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addColumn('queued_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('heartbeat_at', 'text')
        .addColumn('plan', 'text')
        .addColumn('report', 'text')
        .execute();
      await db.schema.createIndex('sync_runs_organization').on('sync_runs').columns(['organization_id', 'queued_at']).execute();

      await db.schema
        .createTable('employee_changes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('run_id', 'text')
        .addColumn('employee_id', 'text')
        .addColumn('entra_object_id', 'text')
        .addColumn('email', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('changed_fields', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('employee_changes_run').on('employee_changes').column('run_id').execute();
      await db.schema.createIndex('employee_changes_employee').on('employee_changes').columns(['organization_id', 'employee_id']).execute();

      await db.schema
        .createTable('delta_states')
        .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('users_delta_link', 'text')
        .addColumn('groups_delta_link', 'text')
        .addColumn('group_tree', 'text')
        .addColumn('scope_member_ids', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['delta_states', 'employee_changes', 'sync_runs', 'employees', 'sync_configurations', 'microsoft_connections', 'organizations']) {
        await sql`drop table if exists ${sql.table(table)}`.execute(db);
      }
    },
  },
};

migrations['0002_access'] = accessMigration;
migrations['0003_graph_subscriptions'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('graph_subscriptions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('resource', 'text', (c) => c.notNull())
      .addColumn('client_state', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('graph_subscriptions_organization').on('graph_subscriptions').column('organization_id').execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists graph_subscriptions`.execute(db);
  },
};

migrations['0006_onboarding_links'] = onboardingMigration;
migrations['0007_csv_import'] = csvImportMigration;
migrations['0005_bot_conversations'] = botConversationsMigration;
migrations['0008_run_lifecycle'] = runLifecycleMigration;
migrations['0010_trust'] = trustMigration;
// A preview may run on settings not saved yet ("Preview changes" before "Save"): they travel with the run, whichever instance runs it.
migrations['0011_run_proposals'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sync_runs').addColumn('proposal', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('sync_runs').dropColumn('proposal').execute();
  },
};

// Who was not read is found by walking the active employees in id order, a few thousand at a
// time: on (organization_id, status) alone each step sorted every active employee again, so the
// walk grew with the square of the directory (1.5 s of a 100,000-user sync). With id in the
// index each step is a range read; the old index is a prefix of the new one.
// SQLite runs migrations without a transaction: a process stopped between the two steps must
// be able to run this again, hence "if (not) exists".
migrations['0012_employees_status_walk'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('employees_status_id').ifNotExists().on('employees').columns(['organization_id', 'status', 'id']).execute();
    await db.schema.dropIndex('employees_status').ifExists().execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.createIndex('employees_status').ifNotExists().on('employees').columns(['organization_id', 'status']).execute();
    await db.schema.dropIndex('employees_status_id').ifExists().execute();
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
