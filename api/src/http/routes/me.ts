import type { Server } from 'restify';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

export function serveMe(server: Server, authenticate: Authenticate, services: ApiServices): void {
  serveRoute(server, 'me', authenticate, async ({ principal }) => {
    const organization = await services.store.organizations.get(principal.organizationId);
    if (!organization) throw new ApiProblem(404, 'ORGANIZATION_NOT_FOUND', 'Your organization no longer exists in Users Sync. Reload the tab to create it again.');
    return {
      user: { id: principal.userObjectId, name: principal.name, email: principal.email, role: principal.role },
      organization: {
        id: organization.id,
        name: organization.name,
        tenantId: principal.tenantId,
        providerDetection: await services.store.members.providerDetection(organization.id),
      },
    };
  });
}
