import restify, { type Server } from 'restify';
import { createHttpServer, type Logger } from '@users-sync/api/service';
import type { BotConfig } from './config';
import { serveNotifications, type NotificationHandler } from './notifications/notify-route';

export interface BotApp {
  server: Server;
}

/** The bot's HTTP surface: notifications from the api (Bot Framework messages come with the bot's own issue). */
export function createBotApp(config: BotConfig, logger: Logger, version: string, onNotification?: NotificationHandler): BotApp {
  const server = createHttpServer({ service: 'bot', version, logger });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 256 * 1024 }));
  serveNotifications(
    server,
    config.notifySecret,
    onNotification ??
      (async (notification) => {
        logger.info({ kind: notification.kind, organizationId: notification.organizationId, runId: notification.run.id, status: notification.run.status }, 'sync notification received');
      }),
  );
  return { server };
}
