import type { OnboardingInstructions, OnboardingInstructionsDelivery } from '@users-sync/api/contract';
import type { Logger } from '@users-sync/api/service';
import type { UsersSyncApi } from '../api-client/users-sync-api';
import { onboardingInstructionsCard } from '../cards/cards';
import type { Messenger } from '../chat/chat';

const NOT_INSTALLED = 'Users Sync is not installed for them in Teams, so the bot cannot write to them.';

/**
 * "Share Onboarding Link" in Teams: the instructions card to the Microsoft admin, in their
 * personal chat with the bot, or in a new 1:1 chat opened by their Entra object id. When
 * Teams refuses (the app is not installed for them), the answer says so, for the tab.
 */
export function createOnboardingInstructions(settings: { api: UsersSyncApi; messenger: Messenger; logger: Logger }) {
  const { api, messenger, logger } = settings;
  return async function deliver(instructions: OnboardingInstructions): Promise<OnboardingInstructionsDelivery> {
    const card = onboardingInstructionsCard({
      requester: instructions.sharedBy.name || instructions.sharedBy.email,
      organization: instructions.organizationName,
      url: instructions.url,
      expiresAt: instructions.expiresAt,
    });
    const tenantId = instructions.tenantId.toLowerCase();
    const reach = await api.personReach(tenantId, instructions.recipientObjectId);
    try {
      if (reach.reference) {
        await messenger.send(reach.reference, { card });
      } else if (reach.serviceUrl) {
        await messenger.startPersonalChat({ tenantId, aadObjectId: instructions.recipientObjectId, serviceUrl: reach.serviceUrl }, { card });
      } else {
        return { delivered: false, reason: 'Nobody in this organization uses the Users Sync app in Teams yet, so the bot cannot write there.' };
      }
      return { delivered: true, reason: null };
    } catch (error) {
      logger.warn({ err: error, recipient: instructions.recipientObjectId }, 'onboarding instructions not delivered');
      return { delivered: false, reason: NOT_INSTALLED };
    }
  };
}
