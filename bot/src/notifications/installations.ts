import type { Logger } from '@users-sync/api/service';
import type { UsersSyncApi } from '../api-client/users-sync-api';
import { welcomeCard } from '../cards/cards';
import type { InstallationEvent } from '../chat/chat';

/**
 * The bot added to a personal chat or a team: the api keeps the conversation reference
 * (the bot keeps none) and the person gets the welcome card; removed: the api forgets it.
 */
export function createInstallations(settings: { api: UsersSyncApi; tabUrl: string; logger: Logger }) {
  const { api, tabUrl } = settings;
  return async function handle(event: InstallationEvent): Promise<void> {
    // Group chats are not in the app's scopes: nothing to keep there.
    if (event.scope === 'groupChat') return;
    if (event.action === 'remove') {
      await api.removeConversation(event.tenantId, event.scope, event.targetId);
      return;
    }
    await api.saveConversation({ tenantId: event.tenantId, scope: event.scope, targetId: event.targetId, reference: event.reference });
    const { organizationExists } = await api.tenantAdmins(event.tenantId);
    await event.reply({ card: welcomeCard({ setUp: organizationExists, tabUrl }) });
  };
}
