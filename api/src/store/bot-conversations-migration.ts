import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Where the bot can reach people: one Bot Framework conversation reference per
 * installation (a person's personal chat, or a team), keyed by tenant. The bot keeps no
 * state of its own, so several bot instances can serve one address.
 */
export const botConversationsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('bot_conversations')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      /** The person's Entra object id (personal) or the team's id (team). */
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('reference', 'text', (c) => c.notNull())
      .addColumn('installed_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('bot_conversations_pk', ['tenant_id', 'scope', 'target_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await sql`drop table if exists bot_conversations`.execute(db);
  },
};
