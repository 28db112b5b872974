/**
 * Microsoft Graph access: app tokens per tenant (MSAL), requests through the Graph client
 * with our retry, authorization and transport middleware, paging, `$batch`, counting.
 * The same code reads the real cloud and the emulator; only the two base URLs differ.
 */
import type { Logger } from '../service/logger';
import { GraphAuthenticationError, type GraphReader, type GraphWriter } from './graph-reader';
import type { ThrottlePriority } from './graph-middleware';
import { MicrosoftGraphReader } from './microsoft-graph-reader';
import { defaultRetrySettings, systemClock, type GraphClock, type RetrySettings } from './retry-policy';
import { graphScope, tenantTokenSource, type AppTokenSource } from './tenant-token';

export * from './graph-reader';
export { forgetTenantTokens, graphScope, msalConfiguration, tenantTokenSource } from './tenant-token';
export { retryAfterMs, type GraphClock } from './retry-policy';
export type { ThrottlePriority } from './graph-middleware';
export { ResourceUnitPacer } from './resource-unit-pacer';

export interface GraphReaderOptions {
  /** The customer's tenant: GUID or verified domain. */
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** `https://login.microsoftonline.com` (default cloud) or the emulator's base, e.g. `https://localhost:4000`. */
  authorityHost: string;
  /** `https://graph.microsoft.com` or the emulator's base; `/v1.0` is added here. */
  graphBaseUrl: string;
  logger?: Logger;
  /** Graph requests on the wire at once for this reader (default 8; the resource-unit pacer keeps them inside the budget). */
  maxConcurrency?: number;
  /** Retry bounds; missing fields take defaultRetrySettings. */
  retry?: Partial<RetrySettings>;
  /** One HTTP exchange, headers and body (default 60 s; token requests 30 s); a timeout is retried like a dropped connection. */
  requestTimeoutMs?: number;
  /** Aborts every call of this reader, in flight or waiting. */
  signal?: AbortSignal;
  /** Token scope; defaults to `{Graph}/.default` for Microsoft clouds, the public cloud's for the emulator. */
  scope?: string;
  /** Replaces MSAL (tests; or a caller that already holds tokens). */
  tokens?: AppTokenSource;
  /** `low` for background runs (schedule, change notifications): Graph throttles them first, and spares what people wait for. */
  priority?: ThrottlePriority;
  /** Time and randomness of retries (tests). */
  clock?: GraphClock;
  random?: () => number;
}

/** A GraphReader for one tenant. Readers for the same tenant and app share MSAL's token cache. */
export function createGraphReader(options: GraphReaderOptions): GraphReader & GraphWriter {
  const retry: RetrySettings = { ...defaultRetrySettings, ...options.retry };
  if (retry.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be at least 1');
  const tokens =
    options.tokens ??
    tenantTokenSource(
      { tenantId: options.tenantId, clientId: options.clientId, clientSecret: options.clientSecret, authorityHost: options.authorityHost },
      { scope: options.scope ?? graphScope(options.graphBaseUrl), timeoutMs: options.requestTimeoutMs, logger: options.logger },
    );
  return new MicrosoftGraphReader({
    tenantId: options.tenantId,
    graphBaseUrl: options.graphBaseUrl,
    tokens,
    maxConcurrency: options.maxConcurrency ?? 8,
    retry,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    signal: options.signal,
    logger: options.logger,
    ...(options.priority ? { priority: options.priority } : {}),
  });
}

/** The app-wide part of the Graph setup: `ApiConfig['microsoft']` fits it. */
export interface GraphConnection {
  clientId?: string;
  clientSecret?: string;
  authorityHost: string;
  graphBaseUrl: string;
}

/** What varies per reader once the app is configured. */
export type GraphReaderSettings = Omit<GraphReaderOptions, 'tenantId' | 'clientId' | 'clientSecret' | 'authorityHost' | 'graphBaseUrl'>;

/** Makes a tenant's reader; `sync/`, `jobs/` and `http/` receive one of these rather than credentials. */
export type GraphReaderFactory = (tenantId: string, settings?: GraphReaderSettings) => GraphReader & GraphWriter;

/** Whether the app's client id and secret are both set. */
export function hasAppCredentials(connection: GraphConnection): connection is GraphConnection & { clientId: string; clientSecret: string } {
  return Boolean(connection.clientId && connection.clientSecret);
}

/** The one "Microsoft credentials missing" error, whoever meets it first (a reader, a route, the command line). */
export function microsoftAppNotConfigured(): GraphAuthenticationError {
  return new GraphAuthenticationError(
    'MICROSOFT_APP_NOT_CONFIGURED',
    'Users Sync has no Microsoft app registration: set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET (env/.env.local), then start again. With `npm start` running, the emulator\'s app is used by itself.',
    'bad_credentials',
  );
}

/**
 * A factory over the app's configuration, e.g. `graphReaderFactory(config.microsoft, { logger })`.
 * Without a client id and secret it still builds, and every reader it makes fails with
 * microsoftAppNotConfigured() at its first request.
 */
export function graphReaderFactory(connection: GraphConnection, defaults: GraphReaderSettings = {}): GraphReaderFactory {
  return (tenantId, settings = {}) => {
    const { clientId, clientSecret } = connection;
    const merged: GraphReaderSettings = { ...defaults, ...settings };
    if (!clientId || !clientSecret) merged.tokens ??= { appToken: () => Promise.reject(microsoftAppNotConfigured()) };
    return createGraphReader({
      ...merged,
      tenantId,
      clientId: clientId ?? '',
      clientSecret: clientSecret ?? '',
      authorityHost: connection.authorityHost,
      graphBaseUrl: connection.graphBaseUrl,
    });
  };
}
