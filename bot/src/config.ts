import { z } from 'zod';
import { ConfigurationError, configurationFields as f, parseConfiguration, readEnvironment } from '@users-sync/api/service';

const botEnvironment = z.object({
  NODE_ENV: f.nodeEnv,
  LOG_LEVEL: f.logLevel,
  BOT_PORT: f.port(3978),
  BOT_HOST: z.string().min(1).optional(),
  /** Bot Framework credentials; without them the bot runs locally, on loopback only. */
  BOT_ID: f.optionalText,
  BOT_PASSWORD: f.optionalText,
  /** The tenant of a single-tenant bot registration; empty for multi-tenant. */
  BOT_TENANT_ID: f.optionalText,
  API_URL: f.url.default('http://127.0.0.1:3000'),
  /** Where people open Users Sync outside Teams (the api serves the tab); defaults to API_URL. */
  PUBLIC_URL: f.url.optional(),
  /** The Teams app id: with it, "Open Users Sync" buttons deep-link to the tab inside Teams. */
  TEAMS_APP_ID: f.optionalText,
  NOTIFY_SECRET: f.optionalText,
  /** How often a "sync now" card is brought up to date while the run goes on. */
  BOT_RUN_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
});

export type BotConfig = ReturnType<typeof toBotConfig>;

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/** The tab's entity id in the app manifest (`staticTabs[].entityId`). */
const TAB_ENTITY_ID = 'admin';

function toBotConfig(env: z.output<typeof botEnvironment>) {
  const local = !env.BOT_ID;
  const host = env.BOT_HOST ?? '127.0.0.1';
  if (local && !loopback.has(host)) {
    throw new ConfigurationError('bot', [
      `BOT_HOST: ${host} is not loopback, but BOT_ID and BOT_PASSWORD are not set. Without Bot Framework credentials the bot trusts every caller, so it listens on loopback only: set the credentials, or BOT_HOST=127.0.0.1.`,
    ]);
  }
  if (env.BOT_ID && !env.BOT_PASSWORD) throw new ConfigurationError('bot', ['BOT_PASSWORD: BOT_ID is set without it. Set both (the bot registration’s client id and secret) or neither.']);
  const publicUrl = (env.PUBLIC_URL ?? env.API_URL).replace(/\/+$/, '');
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    port: env.BOT_PORT,
    host,
    local,
    botId: env.BOT_ID,
    botPassword: env.BOT_PASSWORD,
    botTenantId: env.BOT_TENANT_ID,
    apiUrl: env.API_URL.replace(/\/+$/, ''),
    notifySecret: env.NOTIFY_SECRET,
    /** "Open Users Sync": the tab inside Teams when the app id is known (deep link `https://teams.microsoft.com/l/entity/<appId>/<entityId>`, learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/deep-link-application), else its web address. */
    tabUrl: env.TEAMS_APP_ID ? `https://teams.microsoft.com/l/entity/${encodeURIComponent(env.TEAMS_APP_ID)}/${TAB_ENTITY_ID}` : `${publicUrl}/`,
    runPollMs: env.BOT_RUN_POLL_MS,
  };
}

export function loadBotConfig(environment = readEnvironment()): BotConfig {
  return toBotConfig(parseConfiguration('bot', botEnvironment, environment));
}
