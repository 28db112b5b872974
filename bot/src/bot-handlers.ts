import type { Logger } from '@users-sync/api/service';
import type { UsersSyncApi } from './api-client/users-sync-api';
import type { Messenger } from './chat/chat';
import { createChatCommands } from './commands/chat-commands';
import type { RunWatchSettings } from './commands/run-watch';
import { approvalVerbs, createApprovalActions } from './notifications/approval-actions';
import { createInstallations } from './notifications/installations';
import { createOnboardingInstructions } from './notifications/onboarding-instructions';
import { createSyncNotices } from './notifications/sync-notices';

export interface BotHandlerSettings {
  api: UsersSyncApi;
  messenger: Messenger;
  tabUrl: string;
  runWatch: RunWatchSettings;
  logger: Logger;
}

/** Everything the bot does, on its own interfaces: what the Teams adapter calls, and what `/api/notify` delivers. */
export function createBotHandlers(settings: BotHandlerSettings) {
  const { api, messenger, tabUrl, logger } = settings;
  const commands = createChatCommands({ api, messenger, tabUrl, runWatch: settings.runWatch, logger });
  return {
    commands,
    notices: createSyncNotices({ api, messenger, tabUrl, logger }),
    onboardingInstructions: createOnboardingInstructions({ api, messenger, logger }),
    turns: {
      onMessage: commands.handle,
      onInstallation: createInstallations({ api, tabUrl, logger }),
      onCardAction: createApprovalActions({ api, tabUrl, logger }),
      cardVerbs: approvalVerbs,
    },
  };
}

export type BotHandlers = ReturnType<typeof createBotHandlers>;
