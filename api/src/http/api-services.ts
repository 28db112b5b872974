import type { Request } from 'restify';
import type { ApiConfig } from '../config';
import type { GraphReaderFactory } from '../graph';
import type { ProviderVerdict } from '../provider/email-provider-rules';
import type { ChangeNotifications } from '../jobs/change-notifications';
import type { Logger } from '../service';
import type { Store } from '../store';
import type { SyncJobs } from '../jobs/sync-jobs';
import type { SyncService } from '../sync';
import type { ConsentStates } from './consent/consent-state';
import type { EntraTokenVerifier } from './auth/entra-token';
import type { FailedAuthenticationLimit } from './auth/failed-authentications';
import type { OnboardingLinks } from './onboarding/onboarding-links';
import type { NotificationIntake } from './webhooks/notification-intake';

/** Everything the routes need, built once by the composition root (`composition.ts`) and handed in. */
export interface ApiServices {
  config: ApiConfig;
  logger: Logger;
  store: Store;
  /** A Graph reader for a customer tenant, with the app's credentials. */
  graphFor: GraphReaderFactory;
  /** Which email provider a domain uses (MX records, Entra discovery). */
  detectProvider(domain: string): Promise<ProviderVerdict>;
  changeNotifications: ChangeNotifications;
  consentStates: ConsentStates;
  /** Checks an Entra access token for this api (signature, issuer, audience); remembers a bounded number of tenants. */
  verifyEntraToken: EntraTokenVerifier;
  /** The address a request came from (the TCP peer, or what TRUSTED_PROXIES reverse proxies say it was). */
  clientAddress: (req: Request) => string;
  /** Client addresses whose authentications keep failing are refused for a while. */
  failedAuthentications: FailedAuthenticationLimit;
  /** How much of Graph's change notifications is taken in (items per notification, notifications per second). */
  notificationIntake: NotificationIntake;
  /** "Share Onboarding Link": links, their consoles, their delivery in Teams. */
  onboardingLinks: OnboardingLinks;
  sync: SyncService;
  syncJobs: SyncJobs;
  /** Aborted when the api begins to stop: long answers (event streams) end so the server can close. */
  shutdown: AbortSignal;
}
