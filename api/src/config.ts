import path from 'node:path';
import { z } from 'zod';
import { configurationFields as f, parseConfiguration, readEnvironment, repositoryRoot } from './service/environment';

const root = repositoryRoot();

const apiEnvironment = z
  .object({
    NODE_ENV: f.nodeEnv,
    LOG_LEVEL: f.logLevel,
    API_PORT: f.port(3000),
    API_HOST: z.string().min(1).default('127.0.0.1'),
    /** Where the api is reached from a browser; consent redirects come back here. */
    PUBLIC_URL: f.url.optional(),
    DATA_DIR: z.string().min(1).default(path.join(root, 'data')),
    DATABASE_URL: f.optionalText.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'expected a PostgreSQL URL such as postgres://user@127.0.0.1:5432/db')
        .optional(),
    ),
    MICROSOFT_CLIENT_ID: f.optionalText,
    MICROSOFT_CLIENT_SECRET: f.optionalText,
    /** Our API's Application ID URI as Teams SSO tokens carry it (e.g. api://localhost:3000/<client id>). */
    API_AUDIENCE: f.optionalText,
    MICROSOFT_AUTHORITY_HOST: f.url.default('https://login.microsoftonline.com'),
    GRAPH_BASE_URL: f.url.default('https://graph.microsoft.com'),
    BOT_URL: f.url.default('http://127.0.0.1:3978'),
    NOTIFY_SECRET: f.optionalText,
    TAB_DIST_DIR: z.string().min(1).default(path.join(root, 'tabs', 'dist')),
    /** How many reverse proxies in front of the api append to X-Forwarded-For (limits per client address read it). */
    TRUSTED_PROXIES: z.coerce.number({ error: 'expected a number of reverse proxies' }).int('expected a whole number').min(0, 'expected 0 or more').max(10, 'expected at most 10').default(0),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.MICROSOFT_CLIENT_ID) !== Boolean(env.MICROSOFT_CLIENT_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.MICROSOFT_CLIENT_ID ? 'MICROSOFT_CLIENT_SECRET' : 'MICROSOFT_CLIENT_ID'],
        message: 'MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET go together: set both or neither',
      });
    }
  });

export type ApiConfig = ReturnType<typeof toApiConfig>;

function toApiConfig(env: z.output<typeof apiEnvironment>) {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    port: env.API_PORT,
    host: env.API_HOST,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.API_PORT}`,
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    microsoft: {
      clientId: env.MICROSOFT_CLIENT_ID,
      clientSecret: env.MICROSOFT_CLIENT_SECRET,
      authorityHost: env.MICROSOFT_AUTHORITY_HOST.replace(/\/+$/, ''),
      graphBaseUrl: env.GRAPH_BASE_URL.replace(/\/+$/, ''),
    },
    apiAudience: env.API_AUDIENCE,
    botUrl: env.BOT_URL.replace(/\/+$/, ''),
    notifySecret: env.NOTIFY_SECRET,
    tabDistDir: env.TAB_DIST_DIR,
    trustedProxies: env.TRUSTED_PROXIES,
  };
}

/** The api's configuration, from the environment and env/.env.local. */
export function loadApiConfig(environment = readEnvironment()): ApiConfig {
  return toApiConfig(parseConfiguration('api', apiEnvironment, environment));
}
