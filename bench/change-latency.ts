/**
 * Change → directory latency, the real way: the api's composition root runs in this process
 * over HTTP (its webhook on a loopback port), subscribed to the tenant's user changes through
 * Graph's `POST /subscriptions` (with the validation handshake); a change made in the emulator
 * (control API `updateUser`) is notified to the api's webhook, which queues an incremental
 * sync (debounced, as in production: the api's defaults are used), which writes the employee
 * row. Each change's latency is from just before the change is made to the first poll of the
 * store that shows the new value.
 */
import { freePort } from '../tests/support/free-port';
import { loadApiConfig } from '../api/src/config';
import { buildApiServices } from '../api/src/composition';
import { createApiApp } from '../api/src/http/app';
import { close, createLogger, listen } from '../api/src/service';
import type { EmulatorControl } from '../emulator/src/control/control-client';

export interface ChangeLatencyJob {
  control: EmulatorControl;
  emulatorUrl: string;
  app: { clientId: string; clientSecret: string };
  tenantId: string;
  /** A store already holding the organization, connected and fully synced (its delta link taken). */
  dataDir: string;
  organizationId: string;
  /** Users of the tenant to change, one change each (those the directory holds as active employees are taken). */
  userIds: string[];
  /** Changes made one at a time. */
  singles: number;
  /** Bursts, and changes in each (made at once). */
  bursts: number;
  burstSize: number;
  /** Pause between one change (or burst) and the next, drawn evenly in this range. */
  spacingMs: [number, number];
  /** How long a change may take to show before it counts as lost. */
  giveUpAfterMs: number;
}

export interface ChangeLatency {
  latenciesMs: number[];
  lost: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Change events: singles plus bursts (each needs at least one delta round). */
  events: number;
  wallMs: number;
  /** Incremental syncs the notifications started, and how long they ran (queued → finished). */
  webhookRuns: number;
  runMedianMs: number;
  /** Highest resident set of this process (which hosts the api) sampled during the measurement. */
  peakRssMb: number;
}


export function percentile(sorted: readonly number[], share: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

/** A fixed sequence in [0, 1) (the same pauses every run). */
function* evenDraws(seed: number): Generator<number> {
  let state = seed >>> 0;
  for (;;) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    yield state / 2 ** 32;
  }
}

export async function measureChangeLatency(job: ChangeLatencyJob): Promise<ChangeLatency> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = loadApiConfig({
    DATA_DIR: job.dataDir,
    API_PORT: String(port),
    PUBLIC_URL: publicUrl,
    LOG_LEVEL: 'warn',
    MICROSOFT_CLIENT_ID: job.app.clientId,
    MICROSOFT_CLIENT_SECRET: job.app.clientSecret,
    MICROSOFT_AUTHORITY_HOST: job.emulatorUrl,
    GRAPH_BASE_URL: job.emulatorUrl,
  });
  const logger = createLogger({ service: 'api', level: 'warn', pretty: false }, process.stderr);
  const api = createApiApp(await buildApiServices(config, logger), 'bench');
  await api.start();
  await listen(api.server, port, '127.0.0.1', 'API_PORT');
  const { store, changeNotifications } = api.services;
  let peakRss = process.memoryUsage().rss;
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  try {
    // What the schedule's upkeep does for a connected organization: subscribe (Graph validates the webhook first).
    await changeNotifications.ensure(job.organizationId);
    const subscriptions = await job.control.subscriptions(job.tenantId);
    if (!subscriptions.some((s) => s.resource === 'users' && s.notificationUrl.startsWith(publicUrl))) {
      throw new Error('the api did not subscribe to user changes: see its warning above');
    }
    await job.control.resetCounters(job.tenantId);

    // Singles and bursts interleaved: a burst every (singles / bursts) singles.
    const plan: number[] = [];
    for (let s = 0, b = 0; s < job.singles || b < job.bursts; ) {
      if (b < job.bursts && (s >= job.singles || (s + 1) * job.bursts >= (b + 1) * job.singles)) {
        plan.push(job.burstSize);
        b += 1;
      }
      if (s < job.singles) {
        plan.push(1);
        s += 1;
      }
    }
    const needed = plan.reduce((a, b) => a + b, 0);
    // Only users the directory holds as active employees (a guest or a user without a mailbox may be left out by the scope's rules).
    const userIds: string[] = [];
    for (const id of job.userIds) {
      if (userIds.length === needed) break;
      if ((await store.employees.findByEntraObjectId(job.organizationId, id))?.status === 'active') userIds.push(id);
    }
    if (userIds.length < needed) throw new Error(`${needed} changes need ${needed} employees in the directory; ${userIds.length} of the users given are`);

    const pending = new Map<string, { value: string; at: number }>();
    const latenciesMs: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling || pending.size > 0) {
        for (const [id, change] of pending) {
          const employee = await store.employees.findByEntraObjectId(job.organizationId, id);
          if (employee?.department === change.value) {
            latenciesMs.push(performance.now() - change.at);
            pending.delete(id);
          } else if (performance.now() - change.at > job.giveUpAfterMs) pending.delete(id);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const draws = evenDraws(12);
    const started = performance.now();
    let next = 0;
    for (const [event, size] of plan.entries()) {
      const ids = userIds.slice(next, next + size);
      next += size;
      await Promise.all(
        ids.map(async (id, i) => {
          const value = `Notified ${event}-${i}`;
          const at = performance.now();
          pending.set(id, { value, at });
          await job.control.updateUser(job.tenantId, id, { department: value });
        }),
      );
      const [low, high] = job.spacingMs;
      await new Promise((resolve) => setTimeout(resolve, low + (high - low) * draws.next().value!));
    }
    polling = false;
    await poller;
    const wallMs = Math.round(performance.now() - started);
    const counted = latenciesMs.map(Math.round).sort((a, b) => a - b);
    const runs = (await store.runs.list(job.organizationId, { limit: 500 })).filter((r) => r.trigger === 'webhook');
    const durations = runs.map((r) => (r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.queuedAt) : 0)).sort((a, b) => a - b);
    return {
      latenciesMs: counted,
      lost: needed - counted.length,
      p50Ms: percentile(counted, 0.5),
      p95Ms: percentile(counted, 0.95),
      maxMs: counted[counted.length - 1] ?? 0,
      events: plan.length,
      wallMs,
      webhookRuns: runs.length,
      runMedianMs: percentile(durations, 0.5),
      peakRssMb: Math.round(peakRss / 2 ** 20),
    };
  } finally {
    clearInterval(rssSampler);
    api.beginShutdown();
    await close(api.server);
    await api.stop();
  }
}
