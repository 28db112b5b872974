import restify, { type Server } from 'restify';
import type { ApiConfig } from '../config';
import { createGraphReader } from '../graph';
import { createBotNotifier } from '../jobs/bot-notifier';
import { createSyncJobs, type SyncJobs } from '../jobs/sync-jobs';
import { createSyncSchedule } from '../jobs/sync-schedule';
import { createChangeNotifications } from '../jobs/change-notifications';
import { serveGraphNotifications } from './routes/graph-notifications';
import { detectEmailProvider } from '../provider/detect-email-provider';
import { createHttpServer, type Logger } from '../service';
import { openStore, type Store } from '../store';
import { SyncService } from '../sync';
import type { ApiServices } from './api-services';
import { createAuthenticator } from './auth/authenticate';
import { createEntraTokenVerifier } from './auth/entra-token';
import { storeMemberDirectory } from './auth/store-member-directory';
import { createConsentStates } from './consent/consent-state';
import { buildOpenApiDocument } from './openapi';
import { ApiProblem, sendProblem } from './problem';
import { serveEmployees } from './routes/employees';
import { serveGroups } from './routes/groups';
import { serveMe } from './routes/me';
import { serveMicrosoftConnection } from './routes/microsoft-connection';
import { serveSyncConfiguration } from './routes/sync-configuration';
import { serveSyncRuns } from './routes/sync-runs';
import { serveTabSettings } from './routes/tab-settings';
import { serveTab } from './tab-site';
import { syncRunRepresentation } from './representations/sync-run';
import type { ProviderVerdict } from '../provider/email-provider-rules';
import { buildOnboardingLinks, type OnboardingLinkCourier } from './onboarding/onboarding-links';
import { serveOnboardingLinks } from './routes/onboarding-links';
import { serveCsvImport } from './routes/csv-import';
import { serveAccountPeople } from './routes/account-people';

export interface ApiApp {
  server: Server;
  services: ApiServices;
  /** Starts the job queue and the schedule. */
  start(): Promise<void>;
  /** Ends long answers (event streams) so the server can close; call before closing it. */
  beginShutdown(): void;
  /** Stops jobs, lets runs in flight stop cleanly, closes the store. */
  stop(): Promise<void>;
}

export interface ApiAppOptions {
  /** Tests decide what MX records exist; production asks DNS. */
  resolveMx?: (domain: string) => Promise<string[]>;
  /** One sync for the change notifications arriving within this window (2 s by default). */
  notificationDebounceMs?: number;
  /** False: no Graph change-notification subscriptions (tests that count runs exactly). */
  changeNotifications?: boolean;
  /** Where "now" comes from for the store (tests move it to expire onboarding links). */
  clock?: () => Date;
  /** Delivers new onboarding links in Teams (the bot); without one the dialog says to copy the link. */
  onboardingCourier?: OnboardingLinkCourier;
}

const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the api: storage, Graph access, the sync engine and its jobs, and the HTTP routes. */
export async function createApiApp(config: ApiConfig, logger: Logger, version: string, options: ApiAppOptions = {}): Promise<ApiApp> {
  const store: Store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, clock: options.clock });
  const { clientId, clientSecret, authorityHost, graphBaseUrl } = config.microsoft;
  const graphFor = (tenantId: string) => {
    if (!clientId || !clientSecret) throw new ApiProblem(503, 'MICROSOFT_APP_NOT_CONFIGURED', 'Users Sync has no Microsoft app registration. Set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET, then restart.');
    return createGraphReader({ tenantId, clientId, clientSecret, authorityHost, graphBaseUrl, logger });
  };
  const sync = new SyncService({ store, graphReaderFor: graphFor, logger });
  const syncJobs: SyncJobs = createSyncJobs({ store, sync, logger, databaseUrl: config.databaseUrl });
  const changeNotifications = createChangeNotifications({
    store,
    syncJobs,
    graphFor,
    logger,
    publicUrl: config.publicUrl,
    enabled: options.changeNotifications ?? true,
    ...(options.notificationDebounceMs !== undefined ? { debounceMs: options.notificationDebounceMs, retryWhileRunningMs: options.notificationDebounceMs * 5 } : {}),
  });
  const schedule = createSyncSchedule({ store, syncJobs, logger, maintain: (organizationId) => changeNotifications.ensure(organizationId) });
  const notifyBot = createBotNotifier({ botUrl: config.botUrl, notifySecret: config.notifySecret, logger });
  sync.events.on('finished', (run) => {
    void (async () => {
      const tenantId = (await store.members.tenantOf(run.organizationId)) ?? (await store.connections.get(run.organizationId))?.tenantId ?? '';
      if (run.status === 'awaiting_approval') {
        await notifyBot({
          kind: 'approval_needed',
          organizationId: run.organizationId,
          tenantId,
          run: syncRunRepresentation(run),
          wouldDeactivate: run.counts.deactivated,
          activeEmployees: await store.employees.count(run.organizationId, 'active'),
        });
      } else if (!run.dryRun) {
        await notifyBot({ kind: 'sync_finished', organizationId: run.organizationId, tenantId, run: syncRunRepresentation(run) });
      }
    })().catch((error: unknown) => logger.warn({ err: error, runId: run.id }, 'could not notify the bot'));
  });

  const shutdown = new AbortController();
  const detectProvider = (domain: string): Promise<ProviderVerdict> => detectEmailProvider(domain, { authorityHost, resolveMx: options.resolveMx });
  const audiences = clientId ? [clientId, `api://${clientId}`, ...(config.apiAudience ? [config.apiAudience] : [])] : config.apiAudience ? [config.apiAudience] : [];
  const verify = createEntraTokenVerifier({ authorityHost, audiences });
  const services: ApiServices = {
    config,
    logger,
    store,
    graphFor,
    sync,
    syncJobs,
    changeNotifications,
    shutdown: shutdown.signal,
    consentStates: createConsentStates({ signingKey: await store.secrets.getOrCreate('consent-state-signing-key'), ledger: store.consentStates }),
    onboardingLinks: await buildOnboardingLinks({ store, publicUrl: config.publicUrl, verifyEntraToken: verify, courier: options.onboardingCourier }),
  };

  const authenticate = createAuthenticator(verify, storeMemberDirectory(store, detectProvider, logger), services.onboardingLinks);

  const server = createHttpServer({ service: 'api', version, logger });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: BODY_LIMIT_BYTES, rejectUnknown: false }));
  server.on('restifyError', (req, res, error: Error & { statusCode?: number; body?: { code?: string } }, callback: () => void) => {
    // restify's own refusals (malformed JSON, body too large, unsupported type) as problems.
    const status = error.statusCode ?? 500;
    const detail =
      status === 413
        ? 'The request body is larger than 1 MB.'
        : status === 404
          ? `Nothing is served at ${req.method} ${req.url}.`
          : status === 405
            ? `${req.method} is not allowed on ${req.url}.`
            : status === 400
              ? `The request body could not be read (${error.message}). Send a JSON object.`
              : error.message;
    sendProblem(req, res, new ApiProblem(status, error.body?.code ?? (status === 400 ? 'MALFORMED_BODY' : 'HTTP_ERROR'), detail));
    return callback();
  });

  const openApi = buildOpenApiDocument(version);
  server.get('/api/openapi.json', (_req, res, next) => {
    res.send(200, openApi);
    next();
  });
  serveTabSettings(server, authenticate, services);
  serveMe(server, authenticate, services);
  serveMicrosoftConnection(server, authenticate, services);
  serveGroups(server, authenticate, services);
  serveSyncConfiguration(server, authenticate, services);
  serveSyncRuns(server, authenticate, services);
  serveEmployees(server, authenticate, services);
  serveGraphNotifications(server, authenticate, changeNotifications);
  serveOnboardingLinks(server, authenticate, services);
  serveCsvImport(server, authenticate, services);
  serveAccountPeople(server, authenticate, services);
  serveTab(server, config.tabDistDir);

  return {
    server,
    services,
    async start() {
      await syncJobs.start();
      schedule.start();
    },
    beginShutdown: () => shutdown.abort(),
    async stop() {
      shutdown.abort();
      schedule.stop();
      changeNotifications.stop();
      await syncJobs.stop();
      await store.close();
    },
  };
}
