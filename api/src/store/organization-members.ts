import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, OrganizationMemberTable } from './schema';

export type MemberRole = 'owner' | 'admin';

/**
 * Where a member's role comes from. `directory_role`: an Entra directory role, re-checked on
 * every token (it goes when the role goes); the others stay until changed by a person.
 */
export type MemberGrant = 'creator' | 'directory_role' | 'owner' | 'ownership';
const grants: readonly MemberGrant[] = ['creator', 'directory_role', 'owner', 'ownership'];
const grantOf = (text: string): MemberGrant => grants.find((g) => g === text) ?? 'owner';

export type OwnershipAction = 'ownership_taken' | 'ownership_transferred' | 'directory_admin_removed';

/** One line of an organization's audit log (who took or handed over ownership, and when). */
export interface AuditEntry {
  at: string;
  action: OwnershipAction;
  actorObjectId: string;
  actorEmail: string;
  detail: string;
}

const emailProviders = ['microsoft', 'google', 'other', 'unknown'] as const;
const emailProviderOf = (text: string): (typeof emailProviders)[number] => emailProviders.find((p) => p === text) ?? 'unknown';

export interface OrganizationMember {
  organizationId: string;
  userObjectId: string;
  email: string;
  name: string;
  role: MemberRole;
  grantedBy: MemberGrant;
  createdAt: string;
}

export interface NewMember {
  userObjectId: string;
  email: string;
  name: string;
}

function toMember(row: Selectable<OrganizationMemberTable>): OrganizationMember {
  return { organizationId: row.organization_id, userObjectId: row.user_object_id, email: row.email, name: row.name, role: row.role as MemberRole, grantedBy: grantOf(row.granted_by), createdAt: row.created_at };
}

/** The people who may use an organization's Users Sync, and the tenant its people sign in from. */
export function organizationMemberRepository(db: Kysely<Database>, now: () => string) {
  const audit = async (trx: Kysely<Database>, organizationId: string, action: OwnershipAction, actor: NewMember, detail: string) => {
    await trx
      .insertInto('organization_audit')
      .values({ id: randomUUID(), organization_id: organizationId, at: now(), action, actor_object_id: actor.userObjectId, actor_email: actor.email, detail })
      .execute();
  };
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
            .values({ organization_id: id, user_object_id: owner.userObjectId, email: owner.email, name: owner.name, role: 'owner', granted_by: 'creator', created_at: at })
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
      return row && toMember(row);
    },

    async owner(organizationId: string): Promise<OrganizationMember | undefined> {
      const row = await db.selectFrom('organization_members').selectAll().where('organization_id', '=', organizationId).where('role', '=', 'owner').executeTakeFirst();
      return row && toMember(row);
    },

    /** Everyone who may use the organization's Users Sync, owner first. */
    async list(organizationId: string): Promise<OrganizationMember[]> {
      const rows = await db.selectFrom('organization_members').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('name').execute();
      return rows
        .map(toMember)
        .sort((a, b) => Number(b.role === 'owner') - Number(a.role === 'owner'));
    },

    async add(organizationId: string, member: NewMember, role: Exclude<MemberRole, 'owner'>, grantedBy: Exclude<MemberGrant, 'creator' | 'ownership'>): Promise<void> {
      await db
        .insertInto('organization_members')
        .values({ organization_id: organizationId, user_object_id: member.userObjectId, email: member.email, name: member.name, role, granted_by: grantedBy, created_at: now() })
        .onConflict((oc) => oc.columns(['organization_id', 'user_object_id']).doNothing())
        .execute();
    },

    /** An admin whose directory role was removed loses the rights it gave, and it is logged. */
    async removeDirectoryAdmin(organizationId: string, member: NewMember): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const removed = await trx
          .deleteFrom('organization_members')
          .where('organization_id', '=', organizationId)
          .where('user_object_id', '=', member.userObjectId)
          .where('granted_by', '=', 'directory_role')
          .where('role', '=', 'admin')
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) === 1) await audit(trx, organizationId, 'directory_admin_removed', member, `${member.email} no longer holds a Microsoft admin role: their admin rights ended.`);
      });
    },

    /**
     * Makes `to` the owner; the previous owner stays an admin (until someone removes them).
     * One statement order under a unique index: two changes at once cannot leave two owners.
     */
    async changeOwner(organizationId: string, to: NewMember, action: 'ownership_taken' | 'ownership_transferred', actor: NewMember): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const previous = await trx.selectFrom('organization_members').selectAll().where('organization_id', '=', organizationId).where('role', '=', 'owner').executeTakeFirst();
        if (previous?.user_object_id === to.userObjectId) return;
        if (previous) {
          await trx.updateTable('organization_members').set({ role: 'admin', granted_by: 'owner' }).where('organization_id', '=', organizationId).where('user_object_id', '=', previous.user_object_id).execute();
        }
        await trx
          .insertInto('organization_members')
          .values({ organization_id: organizationId, user_object_id: to.userObjectId, email: to.email, name: to.name, role: 'owner', granted_by: 'ownership', created_at: now() })
          .onConflict((oc) => oc.columns(['organization_id', 'user_object_id']).doUpdateSet({ role: 'owner', granted_by: 'ownership', email: to.email, name: to.name }))
          .execute();
        const from = previous ? previous.email : 'nobody';
        await audit(trx, organizationId, action, actor, action === 'ownership_taken' ? `${to.email} took ownership from ${from}.` : `${from} handed ownership to ${to.email}.`);
      });
    },

    /** Newest first. */
    async auditLog(organizationId: string, limit = 100): Promise<AuditEntry[]> {
      const rows = await db.selectFrom('organization_audit').selectAll().where('organization_id', '=', organizationId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row) => ({ at: row.at, action: row.action as OwnershipAction, actorObjectId: row.actor_object_id, actorEmail: row.actor_email, detail: row.detail }));
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

