import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export type MemberRole = 'owner' | 'admin';

const emailProviders = ['microsoft', 'google', 'other', 'unknown'] as const;
const emailProviderOf = (text: string): (typeof emailProviders)[number] => emailProviders.find((p) => p === text) ?? 'unknown';

export interface OrganizationMember {
  organizationId: string;
  userObjectId: string;
  email: string;
  name: string;
  role: MemberRole;
  createdAt: string;
}

export interface NewMember {
  userObjectId: string;
  email: string;
  name: string;
}

/** The people who may use an organization's Users Sync, and the tenant its people sign in from. */
export function organizationMemberRepository(db: Kysely<Database>, now: () => string) {
  return {
    async organizationOfTenant(tenantId: string): Promise<{ id: string; name: string } | undefined> {
      return db.selectFrom('organizations').select(['id', 'name']).where('tenant_id', '=', tenantId).executeTakeFirst();
    },

    async tenantOf(organizationId: string): Promise<string | undefined> {
      const row = await db.selectFrom('organizations').select('tenant_id').where('id', '=', organizationId).executeTakeFirst();
      return row?.tenant_id ?? undefined;
    },

    /**
     * Creates the organization of a tenant with its first member as owner. Two first
     * sign-ins at once: the unique tenant index lets one win; the other gets undefined.
     */
    async createOrganization(tenantId: string, name: string, owner: NewMember): Promise<string | undefined> {
      const at = now();
      const id = randomUUID();
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('organizations').values({ id, name, tenant_id: tenantId, created_at: at }).execute();
          await trx
            .insertInto('organization_members')
            .values({ organization_id: id, user_object_id: owner.userObjectId, email: owner.email, name: owner.name, role: 'owner', created_at: at })
            .execute();
        });
        return id;
      } catch (error) {
        if (await db.selectFrom('organizations').select('id').where('tenant_id', '=', tenantId).executeTakeFirst()) return undefined;
        throw error;
      }
    },

    async find(organizationId: string, userObjectId: string): Promise<OrganizationMember | undefined> {
      const row = await db
        .selectFrom('organization_members')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('user_object_id', '=', userObjectId)
        .executeTakeFirst();
      return row && { organizationId: row.organization_id, userObjectId: row.user_object_id, email: row.email, name: row.name, role: row.role as MemberRole, createdAt: row.created_at };
    },

    async owner(organizationId: string): Promise<OrganizationMember | undefined> {
      const row = await db.selectFrom('organization_members').selectAll().where('organization_id', '=', organizationId).where('role', '=', 'owner').executeTakeFirst();
      return row && { organizationId: row.organization_id, userObjectId: row.user_object_id, email: row.email, name: row.name, role: 'owner', createdAt: row.created_at };
    },

    /** Everyone who may use the organization's Users Sync, owner first. */
    async list(organizationId: string): Promise<OrganizationMember[]> {
      const rows = await db.selectFrom('organization_members').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('name').execute();
      return rows
        .map((row) => ({ organizationId: row.organization_id, userObjectId: row.user_object_id, email: row.email, name: row.name, role: row.role as MemberRole, createdAt: row.created_at }))
        .sort((a, b) => Number(b.role === 'owner') - Number(a.role === 'owner'));
    },

    async add(organizationId: string, member: NewMember, role: MemberRole): Promise<void> {
      await db
        .insertInto('organization_members')
        .values({ organization_id: organizationId, user_object_id: member.userObjectId, email: member.email, name: member.name, role, created_at: now() })
        .onConflict((oc) => oc.columns(['organization_id', 'user_object_id']).doNothing())
        .execute();
    },

    async tenantName(organizationId: string): Promise<string | undefined> {
      const row = await db.selectFrom('organizations').select('tenant_name').where('id', '=', organizationId).executeTakeFirst();
      return row?.tenant_name ?? undefined;
    },

    async saveTenantName(organizationId: string, tenantName: string | null): Promise<void> {
      await db.updateTable('organizations').set({ tenant_name: tenantName }).where('id', '=', organizationId).execute();
    },

    async saveProviderDetection(organizationId: string, detection: { provider: string; domain: string; evidence: string }): Promise<void> {
      await db
        .updateTable('organizations')
        .set({ email_provider: detection.provider, email_domain: detection.domain, provider_evidence: detection.evidence, provider_detected_at: now() })
        .where('id', '=', organizationId)
        .execute();
    },

    async providerDetection(organizationId: string) {
      const row = await db
        .selectFrom('organizations')
        .select(['email_provider', 'email_domain', 'provider_evidence', 'provider_detected_at'])
        .where('id', '=', organizationId)
        .executeTakeFirst();
      if (!row?.email_provider || !row.email_domain || !row.provider_detected_at) return null;
      return { provider: emailProviderOf(row.email_provider), domain: row.email_domain, evidence: row.provider_evidence ?? undefined, detectedAt: row.provider_detected_at };
    },
  };
}

export type OrganizationMemberRepository = ReturnType<typeof organizationMemberRepository>;
