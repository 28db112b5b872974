import type { Logger } from '../../service';
import { ApiProblem } from '../problem';
import type { Store } from '../../store';
import type { ProviderVerdict } from '../../provider/email-provider-rules';
import type { MemberDirectory } from './authenticate';
import type { EntraIdentity } from './entra-token';

const domainOf = (email: string) => email.split('@')[1]?.toLowerCase() ?? '';

/** Members and organizations as the store keeps them; a new organization gets its email provider detected. */
export function storeMemberDirectory(store: Store, detectProvider: (domain: string) => Promise<ProviderVerdict>, logger: Logger): MemberDirectory {
  const member = (identity: EntraIdentity) => ({ userObjectId: identity.objectId, email: identity.email, name: identity.name });

  return {
    async membership(tenantId, userObjectId) {
      const organization = await store.members.organizationOfTenant(tenantId);
      if (!organization) return undefined;
      const found = await store.members.find(organization.id, userObjectId);
      const owner = await store.members.owner(organization.id);
      return { organizationId: organization.id, role: found?.role ?? null, fromDirectoryRole: found?.grantedBy === 'directory_role', ownerEmail: owner?.email ?? 'the account owner' };
    },

    async createOrganization(identity) {
      const domain = domainOf(identity.email);
      const created = await store.members.createOrganization(identity.tenantId, domain || identity.tenantId, member(identity));
      if (!created) {
        // Another first request won the race: if it was this person's own, they own it.
        const organization = await store.members.organizationOfTenant(identity.tenantId);
        const found = organization && (await store.members.find(organization.id, identity.objectId));
        if (organization && found) return { organizationId: organization.id, role: found.role };
        throw new ApiProblem(409, 'ORGANIZATION_JUST_CREATED', 'Your organization was being set up by someone else at the same moment. Reload the tab.');
      }
      // "When an account is created, Arsen automatically detects your email provider."
      await store.connections.save(created, identity.tenantId, 'pending');
      if (domain) {
        const verdict = await detectProvider(domain);
        await store.members.saveProviderDetection(created, { ...verdict, domain });
        logger.info({ organizationId: created, provider: verdict.provider }, 'organization created');
      }
      return { organizationId: created, role: 'owner' };
    },

    async addDirectoryAdmin(organizationId, identity) {
      await store.members.add(organizationId, member(identity), 'admin', 'directory_role');
      return { organizationId, role: 'admin' };
    },

    async removeDirectoryAdmin(organizationId, identity) {
      await store.members.removeDirectoryAdmin(organizationId, member(identity));
      logger.warn({ organizationId, userObjectId: identity.objectId }, 'an admin whose Microsoft admin role was removed lost their admin rights');
    },

    wasRemoved: (organizationId, userObjectId) => store.members.wasRemoved(organizationId, userObjectId),

    async acceptInvitation(organizationId, identity) {
      // The email claim only counts inside the organization's own tenant (membership() looked it up by tenant), whose admins control it.
      return (await store.members.acceptInvitation(organizationId, member(identity))) ? { organizationId, role: 'admin' } : undefined;
    },
  };
}
