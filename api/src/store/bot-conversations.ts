import type { Kysely } from 'kysely';
import type { Database } from './schema';

export type BotInstallationScope = 'personal' | 'team';

/** A place the bot was installed, with the Bot Framework conversation reference that reaches it. */
export interface BotConversation {
  tenantId: string;
  scope: BotInstallationScope;
  /** The person's Entra object id for a personal chat; the team's id for a team. */
  targetId: string;
  /** Opaque to the api: the bot wrote it and is the only one to read it. */
  reference: Record<string, unknown>;
  installedAt: string;
}

const scopeOf = (text: string): BotInstallationScope => (text === 'team' ? 'team' : 'personal');

const toConversation = (row: { tenant_id: string; scope: string; target_id: string; reference: string; installed_at: string }): BotConversation => ({
  tenantId: row.tenant_id,
  scope: scopeOf(row.scope),
  targetId: row.target_id,
  reference: JSON.parse(row.reference) as Record<string, unknown>,
  installedAt: row.installed_at,
});

/** The bot's installations, keyed by tenant, scope and person or team. */
export function botConversationRepository(db: Kysely<Database>, now: () => string) {
  return {
    /** Saves (or refreshes) an installation; reinstalling keeps the first installation date. */
    async save(conversation: Omit<BotConversation, 'installedAt'>): Promise<void> {
      const at = now();
      await db
        .insertInto('bot_conversations')
        .values({
          tenant_id: conversation.tenantId,
          scope: conversation.scope,
          target_id: conversation.targetId,
          reference: JSON.stringify(conversation.reference),
          installed_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'scope', 'target_id']).doUpdateSet({ reference: JSON.stringify(conversation.reference), updated_at: at }))
        .execute();
    },

    async remove(tenantId: string, scope: BotInstallationScope, targetId: string): Promise<boolean> {
      const result = await db.deleteFrom('bot_conversations').where('tenant_id', '=', tenantId).where('scope', '=', scope).where('target_id', '=', targetId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async find(tenantId: string, scope: BotInstallationScope, targetId: string): Promise<BotConversation | undefined> {
      const row = await db.selectFrom('bot_conversations').selectAll().where('tenant_id', '=', tenantId).where('scope', '=', scope).where('target_id', '=', targetId).executeTakeFirst();
      return row && toConversation(row);
    },

    /** Any installation in the tenant: its Bot Connector address serves the whole tenant. */
    async anyOfTenant(tenantId: string): Promise<BotConversation | undefined> {
      const row = await db.selectFrom('bot_conversations').selectAll().where('tenant_id', '=', tenantId).orderBy('updated_at', 'desc').executeTakeFirst();
      return row && toConversation(row);
    },

    /** Personal chats of the organization's owner and admins: who receives sync reports and approvals. */
    async ofAdmins(organizationId: string): Promise<Array<BotConversation & { role: string; name: string }>> {
      const rows = await db
        .selectFrom('bot_conversations')
        .innerJoin('organizations', 'organizations.tenant_id', 'bot_conversations.tenant_id')
        .innerJoin('organization_members', (join) =>
          join.onRef('organization_members.organization_id', '=', 'organizations.id').onRef('organization_members.user_object_id', '=', 'bot_conversations.target_id'),
        )
        .select([
          'bot_conversations.tenant_id',
          'bot_conversations.scope',
          'bot_conversations.target_id',
          'bot_conversations.reference',
          'bot_conversations.installed_at',
          'organization_members.role',
          'organization_members.name',
        ])
        .where('organizations.id', '=', organizationId)
        .where('bot_conversations.scope', '=', 'personal')
        .orderBy('organization_members.name')
        .execute();
      return rows.map((row) => ({ ...toConversation(row), role: row.role, name: row.name }));
    },
  };
}
