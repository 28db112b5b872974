import type { ApiConfig } from '../config';
import type { GraphReader, GraphWriter } from '../graph';
import type { ChangeNotifications } from '../jobs/change-notifications';
import type { Logger } from '../service';
import type { Store } from '../store';
import type { SyncJobs } from '../jobs/sync-jobs';
import type { SyncService } from '../sync';
import type { ConsentStates } from './consent/consent-state';
import type { OnboardingLinks } from './onboarding/onboarding-links';

/** Everything the routes need, built once at start and handed in (tests build their own). */
export interface ApiServices {
  config: ApiConfig;
  logger: Logger;
  store: Store;
  /** A Graph reader for a customer tenant, with the app's credentials. */
  graphFor(tenantId: string): GraphReader & GraphWriter;
  changeNotifications: ChangeNotifications;
  consentStates: ConsentStates;
  /** "Share Onboarding Link": links, their consoles, their delivery in Teams. */
  onboardingLinks: OnboardingLinks;
  sync: SyncService;
  syncJobs: SyncJobs;
  /** Aborted when the api begins to stop: long answers (event streams) end so the server can close. */
  shutdown: AbortSignal;
}
