import PgBoss from 'pg-boss';
import type { Logger } from '../service';
import type { Store, SyncRun, SyncTrigger } from '../store';
import type { SyncService } from '../sync';

export interface SyncRequest {
  trigger: SyncTrigger;
  dryRun: boolean;
  full: boolean;
}

/** Runs sync requests: at most one active run per organization, whichever api instance asks. */
export interface SyncJobs {
  /** Queues a run, or answers the organization's active run when there is one (`started: false`). */
  request(organizationId: string, request: SyncRequest): Promise<{ run: SyncRun; started: boolean }>;
  /** Asks the run to stop; the instance running it aborts at its next Graph page. */
  cancel(organizationId: string, runId: string): Promise<SyncRun>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const QUEUE = 'sync-run';
/** Runs report progress at least once per Graph page; this long without a sign, they are gone. */
const INTERRUPTED_AFTER_MS = 60_000;

interface JobSettings {
  store: Store;
  sync: SyncService;
  logger: Logger;
  /** PostgreSQL: pg-boss spreads runs over every api instance. Absent: runs in this process. */
  databaseUrl?: string;
  /** How often a running run looks for a cancellation asked through another instance. */
  cancelPollMs?: number;
}

/**
 * One queue for both storages. The database is what guarantees one active run per
 * organization (a unique index on its queued and running runs), so two requests at
 * once — in one process or in two — create one run, and both callers get it back.
 * Where the run executes is the only difference: here, or on whichever instance pg-boss
 * hands the job to.
 */
export function createSyncJobs(settings: JobSettings): SyncJobs {
  const { store, sync, logger } = settings;
  const controllers = new Map<string, AbortController>();
  const executions = new Set<Promise<unknown>>();
  let boss: PgBoss | undefined;
  let cancelWatch: NodeJS.Timeout | undefined;

  async function execute(runId: string): Promise<void> {
    // The claim is atomic: of two instances handed the same run, one runs it.
    if (!(await store.activeRuns.claim(runId))) return;
    const run = await store.runs.get(runId);
    if (!run) return;
    const controller = new AbortController();
    controllers.set(runId, controller);
    try {
      await sync.executeRun(run, { signal: controller.signal });
    } finally {
      controllers.delete(runId);
    }
  }

  function runHere(runId: string): void {
    const execution = execute(runId).catch((error: unknown) => logger.error({ err: error, runId }, 'sync run could not be executed'));
    executions.add(execution);
    void execution.finally(() => executions.delete(execution));
  }

  /**
   * Runs left behind by a process that ended. Alone on SQLite, this process knows they
   * will never finish: they end as interrupted, deactivating nobody. On PostgreSQL another
   * instance may be running them, so only queued runs whose job may have been lost are
   * handed to the queue again (a run already taken is skipped by whoever gets it).
   */
  async function recoverUnfinishedRuns(): Promise<void> {
    for (const run of await store.activeRuns.everyActive()) {
      // A run that signalled lately may belong to the command line working on the same file.
      const silentFor = Date.parse(store.now()) - Date.parse(run.heartbeatAt ?? run.queuedAt);
      if (!boss && silentFor > INTERRUPTED_AFTER_MS) {
        await store.runs.update(run.id, {
          status: 'failed',
          finishedAt: store.now(),
          error: { code: 'SYNC_INTERRUPTED', message: 'The sync stopped without finishing (the api was stopped); nobody was deactivated. Start it again.' },
        });
        logger.warn({ runId: run.id, organizationId: run.organizationId }, 'an interrupted sync was closed');
      } else if (boss && run.status === 'queued' && silentFor > INTERRUPTED_AFTER_MS) {
        await boss.send(QUEUE, { runId: run.id }, { retryLimit: 0 });
      }
    }
  }

  return {
    async request(organizationId, request) {
      const created = await store.activeRuns.createUnlessActive({
        organizationId,
        trigger: request.trigger,
        mode: request.full ? 'full' : 'incremental',
        dryRun: request.dryRun,
      });
      if (!created.created) return { run: created.run, started: false };
      if (boss) await boss.send(QUEUE, { runId: created.run.id }, { retryLimit: 0 });
      else runHere(created.run.id);
      return { run: created.run, started: true };
    },

    async cancel(organizationId, runId) {
      const run = await store.runs.get(runId);
      if (!run || run.organizationId !== organizationId) throw new Error('RUN_NOT_FOUND');
      if (run.status === 'queued') {
        await store.runs.update(runId, { status: 'cancelled', finishedAt: store.now(), error: { code: 'SYNC_CANCELLED', message: 'The sync was cancelled before it started; nobody was deactivated.' } });
      } else if (run.status === 'running') {
        await store.activeRuns.requestCancel(runId);
        controllers.get(runId)?.abort();
      }
      return (await store.runs.get(runId))!;
    },

    async start() {
      if (settings.databaseUrl) {
        const starting = new PgBoss({ connectionString: settings.databaseUrl, schema: 'users_sync_jobs' });
        starting.on('error', (error) => logger.error({ err: error }, 'job queue error'));
        await starting.start();
        await createQueueOnce(starting);
        // Only a started queue takes requests: before that, none may be sent to it.
        boss = starting;
        // Half a second between polls: a queued sync should start about as soon as it is asked for.
        await starting.work<{ runId: string }>(QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
          if (job) await execute(job.data.runId);
        });
      }
      await recoverUnfinishedRuns();
      // Cancellation asked on another instance reaches the one running the run.
      cancelWatch = setInterval(() => {
        if (controllers.size === 0) return;
        void store.activeRuns.cancelRequested([...controllers.keys()]).then((ids) => {
          for (const id of ids) controllers.get(id)?.abort();
        });
      }, settings.cancelPollMs ?? 1000);
      cancelWatch.unref();
    },

    async stop() {
      if (cancelWatch) clearInterval(cancelWatch);
      for (const controller of controllers.values()) controller.abort();
      await Promise.allSettled([...executions]);
      if (boss) await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

/**
 * Several instances starting together all create the queue; PostgreSQL may pick one of
 * them as a deadlock victim. The queue then exists, or the next try creates it.
 */
async function createQueueOnce(boss: PgBoss): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      if (await boss.getQueue(QUEUE)) return;
      await boss.createQueue(QUEUE);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== '40P01' && code !== '23505')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 100));
    }
  }
}
