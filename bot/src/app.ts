import restify, { type Server } from 'restify';
import { createHttpServer, type Logger } from '@users-sync/api/service';
import { httpUsersSyncApi, type UsersSyncApi } from './api-client/users-sync-api';
import { createBotHandlers, type BotHandlers } from './bot-handlers';
import type { Messenger } from './chat/chat';
import type { BotConfig } from './config';
import { serveNotifications, serveOnboardingInstructions, type NotificationHandler } from './notifications/notify-route';
import { createTeamsBot } from './teams/teams-bot';

export interface BotApp {
  server: Server;
  handlers: BotHandlers;
}

export interface BotAppOptions {
  /** Replaces the delivery of the api's notifications (tests of the notify route alone). */
  onNotification?: NotificationHandler;
  /** Tests talk to a fake api; production calls the api over HTTP. */
  api?: UsersSyncApi;
  /** Tests sign activities with keys of their own (see teams/teams-bot.ts). */
  openIdMetadataUrl?: string;
}

/**
 * The bot's HTTP surface: Bot Framework activities on `/api/messages`, and the api's
 * news about runs on `/api/notify`, and onboarding instructions to deliver on
 * `/api/onboarding-instructions`.
 */
export function createBotApp(config: BotConfig, logger: Logger, version: string, options: BotAppOptions = {}): BotApp {
  const server = createHttpServer({ service: 'bot', version, logger });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 256 * 1024 }));

  // The handlers write through the Teams adapter, which is built with them: bound late.
  const messenger: Messenger = {
    send: (reference, message) => teams.messenger.send(reference, message),
    update: (reference, id, message) => teams.messenger.update(reference, id, message),
    startPersonalChat: (target, message) => teams.messenger.startPersonalChat(target, message),
  };
  const handlers = createBotHandlers({
    api: options.api ?? httpUsersSyncApi({ apiUrl: config.apiUrl, sharedSecret: config.notifySecret }),
    messenger,
    tabUrl: config.tabUrl,
    runWatch: { intervalMs: config.runPollMs, giveUpAfterMs: 2 * 60 * 60 * 1000 },
    logger,
  });
  const teams = createTeamsBot(
    { botId: config.botId, botPassword: config.botPassword, botTenantId: config.botTenantId, logger, ...(options.openIdMetadataUrl ? { openIdMetadataUrl: options.openIdMetadataUrl } : {}) },
    handlers.turns,
  );

  server.post('/api/messages', async (req, res) => {
    await teams.handle(req, res);
  });

  serveNotifications(
    server,
    config.notifySecret,
    options.onNotification ??
      (async (notification) => {
        const outcome = await handlers.notices(notification);
        logger.info({ kind: notification.kind, organizationId: notification.organizationId, runId: notification.run.id, ...outcome }, 'sync notice delivered');
      }),
  );
  serveOnboardingInstructions(server, config.notifySecret, handlers.onboardingInstructions);
  return { server, handlers };
}
