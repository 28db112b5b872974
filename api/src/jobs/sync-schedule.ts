import { scheduledSyncDueAt } from '../domain';
import type { Logger } from '../service';
import type { Store } from '../store';
import type { SyncJobs } from './sync-jobs';

export interface SyncScheduleSettings {
  store: Store;
  syncJobs: SyncJobs;
  logger: Logger;
  now?: () => Date;
  /** How often due organizations are looked for. */
  checkEveryMs?: number;
  /** Upkeep for each connected organization at every check (change-notification subscriptions). */
  maintain?: (organizationId: string) => Promise<void>;
}

/**
 * Incremental syncs on each organization's schedule ("continuous updates"): an
 * organization is due when it is connected, has a schedule, and its last sync was queued
 * longer ago than the interval. Every api instance may look; the one-active-run rule
 * keeps them from starting the same sync twice.
 */
export function createSyncSchedule(settings: SyncScheduleSettings) {
  const now = settings.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;

  /** Starts the organization's sync when it is due; true when a run started. */
  async function checkOrganization(organizationId: string): Promise<boolean> {
    const connection = await settings.store.connections.get(organizationId);
    if (connection?.consentState !== 'granted') return false;
    try {
      await settings.maintain?.(organizationId);
    } catch (error) {
      // Upkeep that fails (Graph refuses a subscription) must not cost the organization its scheduled sync.
      settings.logger.warn({ err: error, organizationId }, 'change-notification upkeep failed; the schedule still syncs');
    }
    const { schedule } = await settings.store.configurations.get(organizationId);
    if (!schedule) return false;
    const [last] = await settings.store.runs.list(organizationId, { limit: 1 });
    const dueAt = scheduledSyncDueAt(last?.queuedAt ?? null, schedule);
    if (!dueAt || dueAt.getTime() > now().getTime()) return false;
    const { run, started } = await settings.syncJobs.request(organizationId, { trigger: 'schedule', dryRun: false, full: false });
    if (started) settings.logger.info({ organizationId, runId: run.id }, 'scheduled sync started');
    return started;
  }

  /** One check of every organization; one organization's failure is logged and the others are still checked. */
  async function tick(): Promise<string[]> {
    const started: string[] = [];
    for (const organization of await settings.store.organizations.list()) {
      try {
        if (await checkOrganization(organization.id)) started.push(organization.id);
      } catch (error) {
        settings.logger.warn({ err: error, organizationId: organization.id }, 'the scheduled sync of this organization could not be checked; the others were');
      }
    }
    return started;
  }

  return {
    tick,
    start() {
      timer = setInterval(() => {
        tick().catch((error: unknown) => settings.logger.warn({ err: error }, 'scheduled syncs could not be checked'));
      }, settings.checkEveryMs ?? 60_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
