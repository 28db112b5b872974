import type { Server } from 'restify';
import { createHttpServer, type Logger } from '@users-sync/api/service';
import type { BotConfig } from './config';

export interface BotApp {
  server: Server;
}

/** The bot's HTTP surface: Bot Framework messages and notifications from the api. */
export function createBotApp(_config: BotConfig, logger: Logger, version: string): BotApp {
  const server = createHttpServer({ service: 'bot', version, logger });
  return { server };
}
