import { z } from 'zod';
import { configurationFields as f, parseConfiguration, readEnvironment } from '@users-sync/api/service';

const botEnvironment = z.object({
  NODE_ENV: f.nodeEnv,
  LOG_LEVEL: f.logLevel,
  BOT_PORT: f.port(3978),
  BOT_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bot Framework credentials; without them the bot runs locally and trusts its callers. */
  BOT_ID: f.optionalText,
  BOT_PASSWORD: f.optionalText,
  API_URL: f.url.default('http://127.0.0.1:3000'),
  NOTIFY_SECRET: f.optionalText,
});

export type BotConfig = ReturnType<typeof toBotConfig>;

function toBotConfig(env: z.output<typeof botEnvironment>) {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    port: env.BOT_PORT,
    host: env.BOT_HOST,
    botId: env.BOT_ID,
    botPassword: env.BOT_PASSWORD,
    apiUrl: env.API_URL.replace(/\/+$/, ''),
    notifySecret: env.NOTIFY_SECRET,
  };
}

export function loadBotConfig(environment = readEnvironment()): BotConfig {
  return toBotConfig(parseConfiguration('bot', botEnvironment, environment));
}
