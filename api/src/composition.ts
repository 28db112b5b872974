/**
 * The composition root: builds the api's services from its configuration, once, for every
 * process that needs them (the api's main, the command line, the tests). Tests replace a
 * part through `overrides`. A new service is one line in `buildApiServices`.
 */
import type { ApiConfig } from './config';
import { graphReaderFactory, type GraphReaderFactory } from './graph';
import type { ApiServices } from './http/api-services';
import { createConsentStates } from './http/consent/consent-state';
import { createEntraTokenVerifier } from './http/auth/entra-token';
import { clientAddressResolver } from './http/client-address';
import { createFailedAuthenticationLimit, type FailedAuthenticationSettings } from './http/auth/failed-authentications';
import type { TenantDiscoveryCacheSettings } from './http/auth/tenant-discovery-cache';
import { createNotificationIntake, type NotificationIntakeSettings } from './http/webhooks/notification-intake';
import { buildOnboardingLinks } from './http/onboarding/onboarding-links';
import { syncRunRepresentation } from './http/representations/sync-run';
import { createBotNotifier } from './jobs/bot-notifier';
import { createChangeNotifications } from './jobs/change-notifications';
import { createOnboardingCourier, type OnboardingLinkCourier } from './jobs/onboarding-courier';
import { createSyncJobs } from './jobs/sync-jobs';
import { createSyncSchedule } from './jobs/sync-schedule';
import { detectEmailProvider } from './provider/detect-email-provider';
import type { Logger } from './service';
import { openStore, type Store } from './store';
import { SyncService, type SyncServiceOptions, guardedActiveEmployees } from './sync';

export interface ApiOverrides {
  /** An open store to use instead of the configured one (it is closed with the services). */
  store?: Store;
  /** Graph access for customer tenants instead of the configured Microsoft app. */
  graphFor?: GraphReaderFactory;
  /** Tests decide what MX records exist; production asks DNS. */
  resolveMx?: (domain: string) => Promise<string[]>;
  /** One sync for the change notifications arriving within this window (2 s by default). */
  notificationDebounceMs?: number;
  /** False: no Graph change-notification subscriptions (tests that count runs exactly; the command line). */
  changeNotifications?: boolean;
  /** The silence rule and cancellation polling, scaled down by tests. */
  runTimings?: Pick<SyncServiceOptions, 'staleRunAfterMs' | 'heartbeatEveryMs' | 'cancelPollMs'>;
  /** Where "now" comes from for the configured store (tests move it to expire onboarding links). */
  clock?: () => Date;
  /** Delivers new onboarding links in Teams instead of the bot (`POST {BOT_URL}/api/onboarding-instructions`). */
  onboardingCourier?: OnboardingLinkCourier;
  /** The edges' bounds (failed authentications per address, tenants remembered, notifications taken in), moved by tests. */
  limits?: {
    failedAuthentications?: FailedAuthenticationSettings;
    tenantCache?: TenantDiscoveryCacheSettings;
    notificationIntake?: NotificationIntakeSettings;
  };
}

/** The services, and what starts and stops their background work. */
export interface ApiRuntime {
  services: ApiServices;
  /** Starts the job queue, the schedule and the sweep of interrupted runs (the api only; the CLI never starts them). */
  start(): Promise<void>;
  /** Ends long answers (event streams) so the server can close. */
  beginShutdown(): void;
  /** Stops jobs, lets runs in flight stop cleanly, closes the store. */
  stop(): Promise<void>;
}

export async function buildApiServices(config: ApiConfig, logger: Logger, overrides: ApiOverrides = {}): Promise<ApiRuntime> {
  const store =
    overrides.store ??
    (await openStore({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      clock: overrides.clock,
      onConnectionError: (error) => logger.warn({ err: error }, 'a database connection was lost; the next query opens another'),
    }));
  const graphFor = overrides.graphFor ?? graphReaderFactory(config.microsoft, { logger });
  const sync = new SyncService({ store, graphReaderFor: graphFor, logger, ...overrides.runTimings });
  const syncJobs = createSyncJobs({ store, sync, logger, databaseUrl: config.databaseUrl });
  const debounce = overrides.notificationDebounceMs;
  const changeNotifications = createChangeNotifications({
    store,
    syncJobs,
    graphFor,
    logger,
    publicUrl: config.publicUrl,
    enabled: overrides.changeNotifications ?? true,
    ...(debounce !== undefined ? { debounceMs: debounce, retryWhileRunningMs: debounce * 5 } : {}),
  });
  const schedule = createSyncSchedule({ store, syncJobs, logger, maintain: (organizationId) => changeNotifications.ensure(organizationId) });
  notifyBotOfFinishedRuns(sync, store, createBotNotifier({ botUrl: config.botUrl, notifySecret: config.notifySecret, logger }), logger);
  const shutdown = new AbortController();
  const { clientId, authorityHost } = config.microsoft;
  const audiences = clientId ? [clientId, `api://${clientId}`, ...(config.apiAudience ? [config.apiAudience] : [])] : config.apiAudience ? [config.apiAudience] : [];
  const verifyEntraToken = createEntraTokenVerifier({ authorityHost, audiences, tenantCache: overrides.limits?.tenantCache });

  const services: ApiServices = {
    config,
    logger,
    store,
    graphFor,
    sync,
    syncJobs,
    changeNotifications,
    detectProvider: (domain) => detectEmailProvider(domain, { authorityHost: config.microsoft.authorityHost, resolveMx: overrides.resolveMx }),
    consentStates: createConsentStates({ signingKey: await store.secrets.getOrCreate('consent-state-signing-key'), ledger: store.consentStates }),
    verifyEntraToken,
    clientAddress: clientAddressResolver(config.trustedProxies),
    failedAuthentications: createFailedAuthenticationLimit(overrides.limits?.failedAuthentications),
    notificationIntake: createNotificationIntake(overrides.limits?.notificationIntake),
    onboardingLinks: await buildOnboardingLinks({
      store,
      publicUrl: config.publicUrl,
      verifyEntraToken,
      courier: overrides.onboardingCourier ?? createOnboardingCourier({ store, graphFor, microsoftApp: config.microsoft, botUrl: config.botUrl, notifySecret: config.notifySecret, logger }),
    }),
    shutdown: shutdown.signal,
  };

  return {
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
      sync.dispose();
      await store.close();
    },
  };
}

/** Sync reports and approval requests reach the admins through the bot, whichever process ran the sync. */
function notifyBotOfFinishedRuns(sync: SyncService, store: Store, notifyBot: ReturnType<typeof createBotNotifier>, logger: Logger): void {
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
          // What the guard weighed them against (before the run), as the run's own message says.
          activeEmployees: guardedActiveEmployees(run.plan) ?? (await store.employees.count(run.organizationId, 'active')),
        });
      } else if (!run.dryRun) {
        await notifyBot({ kind: 'sync_finished', organizationId: run.organizationId, tenantId, run: syncRunRepresentation(run) });
      }
    })().catch((error: unknown) => logger.warn({ err: error, runId: run.id }, 'could not notify the bot'));
  });
}
