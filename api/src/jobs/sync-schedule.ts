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

  async function tick(): Promise<string[]> {
    const started: string[] = [];
    for (const organization of await settings.store.organizations.list()) {
      const connection = await settings.store.connections.get(organization.id);
      if (connection?.consentState !== 'granted') continue;
      await settings.maintain?.(organization.id);
      const { schedule } = await settings.store.configurations.get(organization.id);
      if (!schedule) continue;
      const [last] = await settings.store.runs.list(organization.id, { limit: 1 });
      const dueAt = scheduledSyncDueAt(last?.queuedAt ?? null, schedule);
      if (!dueAt || dueAt.getTime() > now().getTime()) continue;
      const { run, started: isNew } = await settings.syncJobs.request(organization.id, { trigger: 'schedule', dryRun: false, full: false });
      if (isNew) {
        started.push(organization.id);
        settings.logger.info({ organizationId: organization.id, runId: run.id }, 'scheduled sync started');
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
