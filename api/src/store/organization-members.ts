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
  /** Invited by email by the owner, not signed in yet. */
  invited: boolean;
}

export interface NewMember {
  userObjectId: string;
  email: string;
  name: string;
}

function toMember(row: Selectable<OrganizationMemberTable>): OrganizationMember {
  return {
    organizationId: row.organization_id,
    userObjectId: row.user_object_id,
    email: row.email,
    name: row.name,
    role: row.role as MemberRole,
    createdAt: row.created_at,
    grantedBy: grantOf(row.granted_by),
    invited: row.invited_email !== null,
  };
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

    /** A member who may use the organization (not one the owner removed). */
    async find(organizationId: string, userObjectId: string): Promise<OrganizationMember | undefined> {
      const row = await db
        .selectFrom('organization_members')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('user_object_id', '=', userObjectId)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return row && toMember(row);
    },

    /** Whether the owner removed this person (then signing in as a Microsoft admin does not bring them back). */
    async wasRemoved(organizationId: string, userObjectId: string): Promise<boolean> {
      const row = await db
        .selectFrom('organization_members')
        .select('removed_at')
        .where('organization_id', '=', organizationId)
        .where('user_object_id', '=', userObjectId)
        .executeTakeFirst();
      return Boolean(row?.removed_at);
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

    /** Owner first, then admins by name; invited people (not signed in yet) included, removed ones not. */
    async people(organizationId: string): Promise<OrganizationMember[]> {
      const rows = await db.selectFrom('organization_members').selectAll().where('organization_id', '=', organizationId).where('removed_at', 'is', null).execute();
      return rows.map(toMember).sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'owner' ? -1 : 1));
    },

    /**
     * The owner makes `email` an admin. Someone removed before comes back; someone who has
     * not signed in yet is invited and joins at their first sign-in; a Microsoft admin
     * becomes an admin by hand (kept without the directory role). False when that person
     * already is the owner or an admin added by hand.
     */
    async addAdminByEmail(organizationId: string, email: string): Promise<boolean> {
      const address = email.toLowerCase();
      const existing = await db
        .selectFrom('organization_members')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where((eb) => eb.or([eb(eb.fn('lower', ['email']), '=', address), eb('invited_email', '=', address)]))
        .execute();
      const active = existing.find((row) => row.removed_at === null);
      if (active) {
        // A Microsoft admin the owner now adds by hand keeps the role after their directory role goes.
        if (active.role !== 'admin' || active.granted_by !== 'directory_role') return false;
        await db.updateTable('organization_members').set({ granted_by: 'owner' }).where('organization_id', '=', organizationId).where('user_object_id', '=', active.user_object_id).execute();
        return true;
      }
      const removed = existing[0];
      if (removed) {
        await db
          .updateTable('organization_members')
          .set({ removed_at: null, role: 'admin', granted_by: 'owner' })
          .where('organization_id', '=', organizationId)
          .where('user_object_id', '=', removed.user_object_id)
          .execute();
        return true;
      }
      await db
        .insertInto('organization_members')
        .values({ organization_id: organizationId, user_object_id: `invited:${address}`, email: address, name: address, role: 'admin', created_at: now(), granted_by: 'owner', invited_email: address })
        .execute();
      return true;
    },

    /** A person the owner invited by email signs in for the first time: the invitation becomes their membership. */
    async acceptInvitation(organizationId: string, member: NewMember): Promise<boolean> {
      const result = await db
        .updateTable('organization_members')
        .set({ user_object_id: member.userObjectId, email: member.email, name: member.name, invited_email: null })
        .where('organization_id', '=', organizationId)
        .where('invited_email', '=', member.email.toLowerCase())
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Removes an admin (never the owner): an invitation disappears, a member is marked removed. False when there is no such admin. */
    async removeAdmin(organizationId: string, userObjectId: string): Promise<boolean> {
      const row = await db
        .selectFrom('organization_members')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('user_object_id', '=', userObjectId)
        .where('role', '=', 'admin')
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      if (!row) return false;
      const target = db.updateTable('organization_members').where('organization_id', '=', organizationId).where('user_object_id', '=', userObjectId);
      if (row.invited_email) await db.deleteFrom('organization_members').where('organization_id', '=', organizationId).where('user_object_id', '=', userObjectId).execute();
      else await target.set({ removed_at: now() }).execute();
      return true;
    },

    /**
     * An organization with no tenant yet (made by the command line) takes the tenant of the
     * Microsoft admin who signs in through its onboarding link. False when it has another
     * tenant, or another organization has that one.
     */
    async adoptTenant(organizationId: string, tenantId: string): Promise<boolean> {
      try {
        const result = await db.updateTable('organizations').set({ tenant_id: tenantId }).where('id', '=', organizationId).where('tenant_id', 'is', null).executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      } catch {
        // The unique tenant index: another organization is connected to this tenant.
        return false;
      }
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
          // Someone the owner removed stays remembered as removed.
          .where('removed_at', 'is', null)
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
          .onConflict((oc) => oc.columns(['organization_id', 'user_object_id']).doUpdateSet({ role: 'owner', granted_by: 'ownership', email: to.email, name: to.name, removed_at: null }))
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

