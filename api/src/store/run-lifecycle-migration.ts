import { type Kysely, type Migration, sql } from 'kysely';

/** At most one plan waits for approval per organization: the database referees it, as it does for active runs. */
export const runLifecycleMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // Plans that piled up before this rule: the newest stays, the others were stale already.
    await sql`
      update sync_runs set status = 'cancelled', plan = null, error_code = 'SUPERSEDED',
        error_message = 'A newer sync replaced this one before it was approved; nobody was deactivated.'
      where status = 'awaiting_approval'
        and exists (select 1 from sync_runs newer where newer.organization_id = sync_runs.organization_id
          and newer.status = 'awaiting_approval' and (newer.queued_at > sync_runs.queued_at or (newer.queued_at = sync_runs.queued_at and newer.id > sync_runs.id)))`.execute(db);
    await sql`create unique index sync_runs_one_held on sync_runs (organization_id) where status = 'awaiting_approval'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index if exists sync_runs_one_held`.execute(db);
  },
};
