import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** Consent `state` nonces: issued once, consumed once. */
export function consentStateRepository(db: Kysely<Database>) {
  return {
    async issue(nonce: string, organizationId: string, expiresAt: Date): Promise<void> {
      await db.insertInto('consent_states').values({ nonce, organization_id: organizationId, expires_at: expiresAt.toISOString(), used_at: null }).execute();
    },
    async consume(nonce: string, now: Date): Promise<boolean> {
      const result = await db
        .updateTable('consent_states')
        .set({ used_at: now.toISOString() })
        .where('nonce', '=', nonce)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now.toISOString())
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
