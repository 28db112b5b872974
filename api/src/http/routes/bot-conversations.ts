import type { Server } from 'restify';
import { botInstallationScopeSchema } from '../../contract';
import type { ApiServices } from '../api-services';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';

/** The bot's internal routes: where it can reach people, and who the admins are. */
export function serveBotConversations(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { store } = services;

  serveRoute(server, 'saveBotConversation', authenticate, async ({ body }) => {
    await store.botConversations.save({ ...body, tenantId: body.tenantId.toLowerCase() });
  });

  serveRoute(server, 'removeBotConversation', authenticate, async ({ params }) => {
    const scope = botInstallationScopeSchema.safeParse(params.scope);
    if (!scope.success) throw new ApiProblem(404, 'BOT_SCOPE_UNKNOWN', `"${params.scope ?? ''}" is not an installation scope: use personal or team.`);
    // Removing what is not there is no error: Teams may tell the bot twice.
    await store.botConversations.remove((params.tenantId ?? '').toLowerCase(), scope.data, params.targetId ?? '');
  });

  serveRoute(server, 'adminConversations', authenticate, async ({ params }) => {
    const conversations = await store.botConversations.ofAdmins(params.organizationId ?? '');
    return {
      conversations: conversations.map((c) => ({ tenantId: c.tenantId, scope: c.scope, targetId: c.targetId, reference: c.reference, installedAt: c.installedAt, role: c.role === 'owner' ? 'owner' : 'admin', name: c.name })),
    };
  });

  serveRoute(server, 'personReach', authenticate, async ({ params }) => {
    const tenantId = (params.tenantId ?? '').toLowerCase();
    const personal = await store.botConversations.find(tenantId, 'personal', params.userObjectId ?? '');
    const serviceUrl = (personal ?? (await store.botConversations.anyOfTenant(tenantId)))?.reference.serviceUrl;
    return { reference: personal?.reference ?? null, serviceUrl: typeof serviceUrl === 'string' ? serviceUrl : null };
  });

  serveRoute(server, 'tenantAdmins', authenticate, async ({ params }) => {
    const organization = await store.members.organizationOfTenant((params.tenantId ?? '').toLowerCase());
    if (!organization) return { organizationExists: false, admins: [] };
    const members = await store.members.list(organization.id);
    return { organizationExists: true, admins: members.map((m) => ({ name: m.name, email: m.email, role: m.role })) };
  });
}
