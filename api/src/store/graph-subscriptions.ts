import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** A Graph change-notification subscription the api holds for an organization. */
export interface GraphSubscription {
  id: string;
  organizationId: string;
  /** `users` or `groups`. */
  resource: string;
  /** The secret Graph echoes in every notification: how a notification proves it is Graph's. */
  clientState: string;
  expiresAt: string;
}

const toSubscription = (row: { id: string; organization_id: string; resource: string; client_state: string; expires_at: string }): GraphSubscription => ({
  id: row.id,
  organizationId: row.organization_id,
  resource: row.resource,
  clientState: row.client_state,
  expiresAt: row.expires_at,
});

export function graphSubscriptionRepository(db: Kysely<Database>, now: () => string) {
  return {
    async save(subscription: GraphSubscription): Promise<void> {
      await db
        .insertInto('graph_subscriptions')
        .values({
          id: subscription.id,
          organization_id: subscription.organizationId,
          resource: subscription.resource,
          client_state: subscription.clientState,
          expires_at: subscription.expiresAt,
          created_at: now(),
        })
        .onConflict((oc) => oc.column('id').doUpdateSet({ expires_at: subscription.expiresAt }))
        .execute();
    },
    async get(id: string): Promise<GraphSubscription | undefined> {
      const row = await db.selectFrom('graph_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSubscription(row);
    },
    async ofOrganization(organizationId: string): Promise<GraphSubscription[]> {
      const rows = await db.selectFrom('graph_subscriptions').selectAll().where('organization_id', '=', organizationId).orderBy('resource').execute();
      return rows.map(toSubscription);
    },
    async remove(id: string): Promise<void> {
      await db.deleteFrom('graph_subscriptions').where('id', '=', id).execute();
    },
  };
}
