import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { GraphError, type GraphReader, type GraphWriter } from '../graph';
import type { Logger } from '../service';
import type { GraphSubscription, Store } from '../store';
import type { SyncJobs } from './sync-jobs';

/** Users and groups subscriptions may last 41,760 minutes; we ask for two days and renew daily. */
const LIFETIME_MS = 2 * 24 * 60 * 60 * 1000;
const RENEW_WHEN_LEFT_MS = 24 * 60 * 60 * 1000;

const createdSubscriptionSchema = z.object({ id: z.string().min(1), expirationDateTime: z.string() });

/** What Graph POSTs to the notification URL; items we cannot read are ignored, never trusted. */
export const changeNotificationBatchSchema = z.object({
  value: z.array(
    z
      .object({
        subscriptionId: z.string(),
        clientState: z.string().optional(),
        lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']).optional(),
      })
      .loose(),
  ),
});
export type ChangeNotificationBatch = z.infer<typeof changeNotificationBatchSchema>;

export interface ChangeNotificationSettings {
  store: Store;
  syncJobs: SyncJobs;
  graphFor: (tenantId: string) => GraphReader & GraphWriter;
  logger: Logger;
  /** Where Graph sends notifications: `{PUBLIC_URL}/api/graph/notifications` and `/lifecycle`. */
  publicUrl: string;
  /** False: no subscriptions are made (syncs follow the schedule only). */
  enabled?: boolean;
  /** Changes often come in bursts: one sync for all notifications within this window. */
  debounceMs?: number;
  /** While a sync runs, a notification's sync looks this often whether it has ended, to ask again. */
  retryWhileRunningMs?: number;
  now?: () => Date;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Continuous updates through Graph change notifications: subscriptions on `users` (and
 * `groups` for group scopes) per connected organization, renewed before they lapse; each
 * genuine notification (its clientState matches) leads to one incremental sync, debounced.
 */
export function createChangeNotifications(settings: ChangeNotificationSettings) {
  const now = settings.now ?? (() => new Date());
  const pending = new Map<string, NodeJS.Timeout>();
  // Subscriptions whose notifications proved genuine here, with their secret: what lets a
  // genuine notification past the flood limit of the public webhook (see vouchedFor).
  const recognized = new Map<string, string>();
  const recognize = (id: string, clientState: string) => {
    recognized.delete(id);
    recognized.set(id, clientState);
    if (recognized.size > 10_000) recognized.delete(recognized.keys().next().value!);
  };
  const notificationUrl = `${settings.publicUrl}/api/graph/notifications`;
  const lifecycleUrl = `${settings.publicUrl}/api/graph/lifecycle`;
  let stopped = false;

  function syncSoon(organizationId: string): void {
    if (stopped || pending.has(organizationId)) return;
    const timer = setTimeout(() => {
      pending.delete(organizationId);
      // A sync already under way may have read past these changes: requestSoon asks again after it.
      settings.syncJobs
        .requestSoon(organizationId, { trigger: 'webhook', dryRun: false, full: false }, { pollMs: settings.retryWhileRunningMs })
        .then(({ started, run }) => {
          if (started) settings.logger.info({ organizationId, runId: run.id }, 'sync started by a change notification');
        })
        .catch((error: unknown) => settings.logger.warn({ err: error, organizationId }, 'a change notification could not start a sync'));
    }, settings.debounceMs ?? 2000);
    timer.unref();
    pending.set(organizationId, timer);
  }

  async function wantedResources(organizationId: string): Promise<string[]> {
    const { scope } = await settings.store.configurations.get(organizationId);
    return scope.kind === 'all' ? ['users'] : ['users', 'groups'];
  }

  async function create(graph: GraphWriter, organizationId: string, resource: string): Promise<void> {
    const clientState = randomBytes(32).toString('base64url');
    const created = await graph.write(
      'POST',
      '/subscriptions',
      {
        changeType: 'updated,deleted',
        notificationUrl,
        lifecycleNotificationUrl: lifecycleUrl,
        resource,
        expirationDateTime: new Date(now().getTime() + LIFETIME_MS).toISOString(),
        clientState,
      },
      { schema: createdSubscriptionSchema },
    );
    await settings.store.subscriptions.save({ id: created.id, organizationId, resource, clientState, expiresAt: new Date(created.expirationDateTime).toISOString() });
    recognize(created.id, clientState);
  }

  async function renew(graph: GraphWriter, subscription: GraphSubscription): Promise<void> {
    const expiresAt = new Date(now().getTime() + LIFETIME_MS).toISOString();
    await graph.write('PATCH', `/subscriptions/${encodeURIComponent(subscription.id)}`, { expirationDateTime: expiresAt });
    await settings.store.subscriptions.save({ ...subscription, expiresAt });
  }

  async function remove(graph: GraphWriter, subscription: GraphSubscription): Promise<void> {
    try {
      await graph.write('DELETE', `/subscriptions/${encodeURIComponent(subscription.id)}`);
    } catch (error) {
      if (!(error instanceof GraphError && error.status === 404)) throw error;
    }
    await settings.store.subscriptions.remove(subscription.id);
  }

  /** Brings an organization's subscriptions in line with its scope and renews those about to lapse. */
  async function ensure(organizationId: string): Promise<void> {
    const connection = await settings.store.connections.get(organizationId);
    const held = await settings.store.subscriptions.ofOrganization(organizationId);
    if (settings.enabled === false) return;
    if (connection?.consentState !== 'granted') {
      for (const subscription of held) await settings.store.subscriptions.remove(subscription.id);
      return;
    }
    const graph = settings.graphFor(connection.tenantId);
    const wanted = await wantedResources(organizationId);
    try {
      for (const subscription of held) {
        if (!wanted.includes(subscription.resource)) await remove(graph, subscription);
        else if (Date.parse(subscription.expiresAt) - now().getTime() < RENEW_WHEN_LEFT_MS) await renew(graph, subscription);
      }
      for (const resource of wanted) {
        if (!held.some((s) => s.resource === resource)) await create(graph, organizationId, resource);
      }
    } catch (error) {
      // Graph refuses subscriptions whose URL it cannot reach (e.g. http://localhost): the schedule still syncs.
      settings.logger.warn(
        { err: error, organizationId, notificationUrl },
        'change notifications are off for this organization; syncs follow the schedule. Graph must reach PUBLIC_URL over https.',
      );
    }
  }

  return {
    ensure,

    /**
     * Whether every item of a notification names a subscription already proven here, with its
     * secret: such a notification is Graph's, and is not held back by the limit on the rest
     * (so a flood of forged notifications cannot crowd out the genuine ones). Memory only.
     */
    vouchedFor(batch: ChangeNotificationBatch): boolean {
      return batch.value.length > 0 && batch.value.every((item) => {
        const secret = recognized.get(item.subscriptionId);
        return secret !== undefined && sameSecret(item.clientState, secret);
      });
    },

    /**
     * Notifications: genuine ones (known subscription, matching clientState) start a debounced
     * sync. Each subscription is looked up once however many items name it, and what was
     * ignored is said in one line, so a large forged notification costs little.
     */
    async receive(batch: ChangeNotificationBatch): Promise<number> {
      let genuine = 0;
      let ignored = 0;
      const subscriptions = new Map<string, Promise<GraphSubscription | undefined>>();
      for (const item of batch.value) {
        let lookup = subscriptions.get(item.subscriptionId);
        if (!lookup) subscriptions.set(item.subscriptionId, (lookup = settings.store.subscriptions.get(item.subscriptionId)));
        const subscription = await lookup;
        if (!subscription || !sameSecret(item.clientState, subscription.clientState)) {
          ignored += 1;
          continue;
        }
        genuine += 1;
        recognize(subscription.id, subscription.clientState);
        syncSoon(subscription.organizationId);
      }
      if (ignored > 0) settings.logger.warn({ ignored, subscriptions: subscriptions.size }, 'change notifications with an unknown subscription or a wrong clientState were ignored');
      return genuine;
    },

    /** Lifecycle events: reauthorize, recreate a removed subscription, or catch up after missed notifications. */
    async receiveLifecycle(batch: ChangeNotificationBatch): Promise<void> {
      const subscriptions = new Map<string, Promise<GraphSubscription | undefined>>();
      for (const item of batch.value) {
        let lookup = subscriptions.get(item.subscriptionId);
        if (!lookup) subscriptions.set(item.subscriptionId, (lookup = settings.store.subscriptions.get(item.subscriptionId)));
        const subscription = await lookup;
        if (!subscription || !sameSecret(item.clientState, subscription.clientState)) continue;
        const connection = await settings.store.connections.get(subscription.organizationId);
        if (!connection) continue;
        const graph = settings.graphFor(connection.tenantId);
        try {
          if (item.lifecycleEvent === 'reauthorizationRequired') {
            await graph.write('POST', `/subscriptions/${encodeURIComponent(subscription.id)}/reauthorize`);
          } else if (item.lifecycleEvent === 'subscriptionRemoved') {
            await settings.store.subscriptions.remove(subscription.id);
            await ensure(subscription.organizationId);
            syncSoon(subscription.organizationId);
          } else if (item.lifecycleEvent === 'missed') {
            syncSoon(subscription.organizationId);
          }
        } catch (error) {
          settings.logger.warn({ err: error, subscriptionId: subscription.id, event: item.lifecycleEvent }, 'a lifecycle event could not be handled');
        }
      }
    },

    stop() {
      stopped = true;
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}

export type ChangeNotifications = ReturnType<typeof createChangeNotifications>;
