import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * Keys the api makes for itself (the consent-state signing key), kept in the database so
 * every api instance sharing it signs and verifies alike, and a restart breaks nothing.
 */
export function serviceSecretRepository(db: Kysely<Database>, now: () => string) {
  return {
    async getOrCreate(name: string, bytes = 32): Promise<Uint8Array> {
      const existing = await db.selectFrom('service_secrets').select('value').where('name', '=', name).executeTakeFirst();
      if (existing) return Buffer.from(existing.value, 'base64');
      await db
        .insertInto('service_secrets')
        .values({ name, value: randomBytes(bytes).toString('base64'), created_at: now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db.selectFrom('service_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return Buffer.from(row.value, 'base64');
    },
  };
}
