import PgBoss from 'pg-boss';
import type { Logger } from '../service';
import type { Store, SyncRun } from '../store';
import type { QueuedRun, SyncRequest, SyncService } from '../sync';

export type { SyncRequest } from '../sync';

/** Runs sync requests: at most one active run per organization, whichever api instance asks. */
export interface SyncJobs {
  /** Queues a run, or answers the organization's active run when there is one (`started: false`). */
  request(organizationId: string, request: SyncRequest): Promise<QueuedRun>;
  /**
   * Like request, for a change the active run may have missed (a new configuration, a change
   * notification): when a run is active, asks again once it has ended. Answers at once.
   */
  requestSoon(organizationId: string, request: SyncRequest, options?: { pollMs?: number }): Promise<QueuedRun>;
  /** Asks the run to stop; the instance running it aborts at its next Graph page. */
  cancel(organizationId: string, runId: string): Promise<SyncRun>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const QUEUE = 'sync-run';

interface JobSettings {
  store: Store;
  sync: SyncService;
  logger: Logger;
  /** PostgreSQL: pg-boss spreads runs over every api instance. Absent: runs in this process. */
  databaseUrl?: string;
  /** requestSoon: how often it looks whether the active run has ended (it also knows at once when the run ran here). */
  followUpPollMs?: number;
  /** How often runs whose process ended are looked for (30 s by default). */
  sweepEveryMs?: number;
  /** requestSoon: how long it waits for the active run to end before giving up. */
  followUpForMs?: number;
}

interface FollowUp {
  request: SyncRequest;
  /** The run active when it was asked; any later run started after the ask, so covers it. */
  waitingFor: string;
  giveUpAt: number;
  pollMs: number;
  timer?: NodeJS.Timeout;
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
  const shutdown = new AbortController();
  const executions = new Set<Promise<unknown>>();
  let boss: PgBoss | undefined;
  let sweep: NodeJS.Timeout | undefined;
  let polling: NodeJS.Timeout | undefined;
  let stopped = false;
  const followUps = new Map<string, FollowUp>();

  async function execute(runId: string): Promise<void> {
    const run = await store.runs.get(runId);
    if (!run) return;
    try {
      await sync.executeRun(run, { signal: shutdown.signal });
    } finally {
      // A request waiting for this run need not wait for its next poll.
      if (followUps.get(run.organizationId)?.waitingFor === runId) void followUp(run.organizationId);
    }
  }

  async function request(organizationId: string, asked: SyncRequest): Promise<QueuedRun> {
    const answer = await sync.queueRun(organizationId, asked);
    if (!answer.started) return answer;
    if (boss) await boss.send(QUEUE, { runId: answer.run.id }, { retryLimit: 0 });
    else runHere(answer.run.id);
    return answer;
  }

  function scheduleFollowUp(organizationId: string, pending: FollowUp): void {
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => void followUp(organizationId), pending.pollMs);
    pending.timer.unref();
  }

  /** Asks again for a follow-up whose run may have ended; waits on when a run is still active. */
  async function followUp(organizationId: string): Promise<void> {
    const pending = followUps.get(organizationId);
    if (!pending || stopped) return;
    clearTimeout(pending.timer);
    try {
      const { run, started } = await request(organizationId, pending.request);
      if (started || run.id !== pending.waitingFor) {
        followUps.delete(organizationId);
        if (started) logger.info({ organizationId, runId: run.id, trigger: pending.request.trigger }, 'a sync asked for while another ran has started');
        return;
      }
    } catch (error) {
      logger.warn({ err: error, organizationId }, 'a sync asked for while another ran could not start');
    }
    if (Date.now() >= pending.giveUpAt) {
      followUps.delete(organizationId);
      logger.warn({ organizationId, runId: pending.waitingFor }, 'gave up waiting for a long sync to end before syncing again; the next sync catches up');
    } else if (followUps.get(organizationId) === pending) {
      scheduleFollowUp(organizationId, pending);
    }
  }

  /**
   * Takes queued runs from pg-boss one at a time, half a second between empty polls (a queued
   * sync should start about as soon as it is asked for). Not `boss.work()`: pg-boss 10 marks a
   * job done without awaiting it, so a database lost at that moment rejects with nobody to
   * catch it and the api dies (issue 11). Here every queue call's failure is caught and logged.
   */
  function takeJobs(queue: PgBoss): void {
    const poll = async (): Promise<void> => {
      let took = false;
      try {
        const [job] = await queue.fetch<{ runId: string }>(QUEUE, { batchSize: 1 });
        if (job && !stopped) {
          took = true;
          try {
            await execute(job.data.runId);
          } finally {
            await queue.complete(QUEUE, job.id).catch((error: unknown) => logger.warn({ err: error, runId: job.data.runId }, 'the job queue could not record a finished sync; the run itself is recorded'));
          }
        }
      } catch (error) {
        logger.warn({ err: error }, 'the job queue could not be read; it is asked again shortly');
      }
      if (!stopped) polling = setTimeout(() => track(poll()), took ? 0 : 500);
    };
    const track = (execution: Promise<void>) => {
      executions.add(execution);
      void execution.finally(() => executions.delete(execution));
    };
    track(poll());
  }

  function runHere(runId: string): void {
    const execution = execute(runId).catch((error: unknown) => logger.error({ err: error, runId }, 'sync run could not be executed'));
    executions.add(execution);
    void execution.finally(() => executions.delete(execution));
  }

  /**
   * Runs left behind by a process that ended, by the one silence rule. Without a job queue
   * this process is the only one that takes queued runs, so a silent queued run is lost
   * too; with pg-boss its job may have been lost with the instance that sent it: sent again
   * (whoever gets it first runs it, the others skip it).
   */
  async function recoverUnfinishedRuns(): Promise<void> {
    await sync.closeInterruptedRuns({ queuedToo: !boss });
    if (boss) for (const runId of await store.activeRuns.queuedSilentFor(sync.interruptedAfterMs)) await boss.send(QUEUE, { runId }, { retryLimit: 0 });
  }

  return {
    request,

    async requestSoon(organizationId, asked, options = {}) {
      const answer = await request(organizationId, asked);
      if (answer.started || stopped) return answer;
      const pending = followUps.get(organizationId);
      if (pending) {
        // One follow-up per organization covers every ask made meanwhile; a real run wins over a dry one.
        pending.request = { trigger: pending.request.trigger, dryRun: pending.request.dryRun && asked.dryRun, full: pending.request.full || asked.full };
        pending.waitingFor = answer.run.id;
      } else {
        const pollMs = options.pollMs ?? settings.followUpPollMs ?? 3000;
        const fresh: FollowUp = { request: asked, waitingFor: answer.run.id, giveUpAt: Date.now() + (settings.followUpForMs ?? 60 * 60_000), pollMs };
        followUps.set(organizationId, fresh);
        scheduleFollowUp(organizationId, fresh);
      }
      return answer;
    },

    cancel: (organizationId, runId) => sync.cancel(organizationId, runId),

    async start() {
      if (settings.databaseUrl) {
        const starting = new PgBoss({ connectionString: settings.databaseUrl, schema: 'users_sync_jobs' });
        starting.on('error', (error) => logger.error({ err: error }, 'job queue error'));
        await starting.start();
        await createQueueOnce(starting);
        // Only a started queue takes requests: before that, none may be sent to it.
        boss = starting;
        takeJobs(starting);
      }
      await recoverUnfinishedRuns();
      // The silence rule's sweep: a run whose process ended is closed within one sweep of going silent.
      sweep = setInterval(() => {
        if (!stopped) sync.closeInterruptedRuns({ queuedToo: !boss }).catch((error: unknown) => logger.warn({ err: error }, 'interrupted syncs could not be looked for'));
      }, settings.sweepEveryMs ?? 30_000);
      sweep.unref();
    },

    async stop() {
      stopped = true;
      for (const pending of followUps.values()) clearTimeout(pending.timer);
      followUps.clear();
      if (sweep) clearInterval(sweep);
      clearTimeout(polling);
      shutdown.abort();
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
