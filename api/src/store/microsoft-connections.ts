import type { Kysely, Selectable } from 'kysely';
import type { Database, MicrosoftConnectionTable } from './schema';

export type ConsentState = 'pending' | 'granted' | 'revoked';

/** The organization's link to its Entra tenant, and whether an admin consented to the app there. */
export interface MicrosoftConnection {
  organizationId: string;
  tenantId: string;
  consentState: ConsentState;
  consentedAt: string | null;
  updatedAt: string;
}

const toConnection = (row: Selectable<MicrosoftConnectionTable>): MicrosoftConnection => ({
  organizationId: row.organization_id,
  tenantId: row.tenant_id,
  consentState: row.consent_state as ConsentState,
  consentedAt: row.consented_at,
  updatedAt: row.updated_at,
});

export function microsoftConnectionRepository(db: Kysely<Database>, now: () => string) {
  return {
    async save(organizationId: string, tenantId: string, consentState: ConsentState): Promise<MicrosoftConnection> {
      const at = now();
      const row = {
        organization_id: organizationId,
        tenant_id: tenantId,
        consent_state: consentState,
        consented_at: consentState === 'granted' ? at : null,
        updated_at: at,
      };
      await db
        .insertInto('microsoft_connections')
        .values(row)
        .onConflict((oc) => oc.column('organization_id').doUpdateSet({ tenant_id: tenantId, consent_state: consentState, consented_at: row.consented_at, updated_at: at }))
        .execute();
      return toConnection(row);
    },
    async get(organizationId: string): Promise<MicrosoftConnection | undefined> {
      const row = await db.selectFrom('microsoft_connections').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
      return row && toConnection(row);
    },
    async findByTenant(tenantId: string): Promise<MicrosoftConnection[]> {
      const rows = await db.selectFrom('microsoft_connections').selectAll().where('tenant_id', '=', tenantId).execute();
      return rows.map(toConnection);
    },
  };
}

