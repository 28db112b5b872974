import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { bodyJson, type EmulatorRequest } from '../http/request';
import { graphError, json, type Reply } from '../http/reply';
import type { Router } from '../http/router';
import { allows, insufficientPrivileges, PERMISSIONS, type GraphPrincipal } from '../graph/graph-principal';
import type { GraphRoute } from '../graph/graph-route';
import { odataContext } from '../graph/odata-query';
import type { DirectoryChange, Tenant } from '../tenants/tenant';

/** Users and groups subscriptions last at most 41,760 minutes (29 days). */
const MAX_MINUTES = 41_760;
const VALIDATION_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 3_000;
/** Changes are gathered this long, then sent in one POST per subscription ("within seconds"). */
const DEBOUNCE_MS = 200;

/**
 * When deliveries are retried and lifecycle events sent. Graph retries a failed delivery with
 * exponential backoff for up to 4 hours (change-notifications-delivery-webhooks), and sends
 * `reauthorizationRequired` to the lifecycle URL before a subscription expires
 * (change-notifications-lifecycle-events). Tests shrink these through the control API.
 */
export const notificationTiming = z.object({
  firstRetryDelayMs: z.number().int().min(1).default(1_000),
  maxRetryDelayMs: z.number().int().min(1).default(15 * 60_000),
  retryWindowMs: z.number().int().min(1).default(4 * 60 * 60_000),
  reauthorizationLeadMs: z.number().int().min(0).default(10 * 60_000),
});
export type NotificationTiming = z.output<typeof notificationTiming>;

export interface WebhookOptions {
  /**
   * Graph delivers only to https URLs. For local development (`npm start`), http to a
   * loopback host (localhost, 127.0.0.1, ::1) may be allowed; never any other http URL.
   */
  allowHttpLoopback?: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface Subscription {
  id: string;
  tenantId: string;
  applicationId: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  clientState: string | null;
  creatorId: string;
  latestSupportedTlsVersion: string;
  includeResourceData: boolean;
}

export interface DeliveryRecord {
  subscriptionId: string;
  url: string;
  kind: 'validation' | 'notification' | 'lifecycle';
  at: string;
  status: number | 'error';
  items: number;
}

export interface Notification {
  subscriptionId: string;
  subscriptionExpirationDateTime: string;
  changeType?: string;
  resource?: string;
  resourceData?: Record<string, unknown>;
  clientState: string | null;
  tenantId: string;
  lifecycleEvent?: string;
}

const createBody = z.object({
  changeType: z.string().min(1),
  notificationUrl: z.string().url(),
  lifecycleNotificationUrl: z.string().url().optional(),
  resource: z.string().min(1),
  expirationDateTime: z.string().datetime({ offset: true }),
  clientState: z.string().max(128).optional(),
  latestSupportedTlsVersion: z.string().optional(),
  includeResourceData: z.boolean().optional(),
});

const patchBody = z.object({ expirationDateTime: z.string().datetime({ offset: true }) });

type ResourceKind = { kind: 'users' } | { kind: 'groups' } | { kind: 'members'; groupId: string };

function resourceKind(resource: string): ResourceKind | null {
  const r = resource.replace(/^\/+/, '').replace(/^v1\.0\//i, '');
  if (/^users$/i.test(r)) return { kind: 'users' };
  if (/^groups$/i.test(r)) return { kind: 'groups' };
  const m = /^groups\/([^/]+)\/members$/i.exec(r);
  return m ? { kind: 'members', groupId: m[1]!.toLowerCase() } : null;
}

/**
 * Graph change notifications: subscriptions with the validation handshake, delivery of
 * changes (with `clientState`) shortly after they happen, retries, and lifecycle events.
 */
export class Webhooks {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly pending = new Map<string, Notification[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly deliveries: DeliveryRecord[] = [];
  private readonly reauthorizationTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;
  timing: NotificationTiming = notificationTiming.parse({});

  constructor(
    private readonly logger: Logger,
    private readonly options: WebhookOptions = {},
  ) {}

  attach(tenant: Tenant): void {
    tenant.onChange((change) => this.onChange(tenant, change));
  }

  list(tenantId?: string): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => !tenantId || s.tenantId === tenantId);
  }

  deliveryLog(subscriptionId?: string): DeliveryRecord[] {
    return this.deliveries.filter((d) => !subscriptionId || d.subscriptionId === subscriptionId);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const timer of this.reauthorizationTimers.values()) clearTimeout(timer);
    this.reauthorizationTimers.clear();
  }

  /** Why Graph would refuse this notification or lifecycle URL, or null. */
  private urlProblem(url: string): string | null {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return null;
    if (parsed.protocol === 'http:' && this.options.allowHttpLoopback && LOOPBACK_HOSTS.has(parsed.hostname)) return null;
    return `The notification URL '${url}' must use https.`;
  }

  /** `reauthorizationRequired` to the lifecycle URL shortly before the subscription expires; the subscription is dropped at expiry. */
  private scheduleLifecycle(s: Subscription): void {
    clearTimeout(this.reauthorizationTimers.get(s.id));
    if (this.closed) return;
    const expiresAt = new Date(s.expirationDateTime).getTime();
    const fire = (at: number, act: () => void) => {
      const timer = setTimeout(act, Math.max(0, Math.min(at - Date.now(), 2 ** 31 - 1)));
      timer.unref();
      this.reauthorizationTimers.set(s.id, timer);
    };
    const expire = () => {
      if (this.subscriptions.get(s.id) === s && new Date(s.expirationDateTime).getTime() <= Date.now()) this.subscriptions.delete(s.id);
    };
    if (!s.lifecycleNotificationUrl) return fire(expiresAt, expire);
    fire(expiresAt - this.timing.reauthorizationLeadMs, () => {
      if (this.subscriptions.get(s.id) !== s) return;
      void this.lifecycle(s.tenantId, s.id, 'reauthorizationRequired');
      fire(expiresAt, expire);
    });
  }

  /** Consent revoked: Graph drops the app's subscriptions in the tenant and says so with `subscriptionRemoved`. */
  async removeForApp(tenantId: string, applicationId: string): Promise<void> {
    for (const s of [...this.subscriptions.values()]) {
      if (s.tenantId === tenantId && s.applicationId.toLowerCase() === applicationId.toLowerCase()) await this.lifecycle(tenantId, s.id, 'subscriptionRemoved');
    }
  }

  addRoutes(router: Router<GraphRoute>): void {
    router.post('/v1.0/subscriptions', { cost: 'write', handle: (request, principal) => this.create(request, principal) });
    router.get('/v1.0/subscriptions', {
      cost: 'other',
      handle: (request, principal) =>
        json(200, { '@odata.context': odataContext(request, 'subscriptions', null), value: this.list(principal.tenant.id).filter((s) => s.applicationId === principal.appId).map((s) => this.render(request, s)) }),
    });
    router.get('/v1.0/subscriptions/{id}', { cost: 'other', handle: (request, principal) => this.withOwn(request, principal, (s) => json(200, this.render(request, s))) });
    router.add('PATCH', '/v1.0/subscriptions/{id}', {
      cost: 'write',
      handle: (request, principal) =>
        this.withOwn(request, principal, (s) => {
          const parsed = patchBody.safeParse(bodyJson(request));
          if (!parsed.success) return graphError(400, 'ValidationError', 'expirationDateTime is required and must be a date-time.', request);
          const problem = this.expirationProblem(parsed.data.expirationDateTime);
          if (problem) return graphError(400, 'ValidationError', problem, request);
          s.expirationDateTime = new Date(parsed.data.expirationDateTime).toISOString();
          this.scheduleLifecycle(s);
          return json(200, this.render(request, s));
        }),
    });
    router.add('DELETE', '/v1.0/subscriptions/{id}', {
      cost: 'write',
      handle: (request, principal) =>
        this.withOwn(request, principal, (s) => {
          this.subscriptions.delete(s.id);
          clearTimeout(this.reauthorizationTimers.get(s.id));
          return { status: 204 };
        }),
    });
    router.post('/v1.0/subscriptions/{id}/reauthorize', {
      cost: 'write',
      handle: (request, principal) =>
        this.withOwn(request, principal, (s) => {
          this.scheduleLifecycle(s);
          return { status: 200 };
        }),
    });
  }

  private withOwn(request: EmulatorRequest, principal: GraphPrincipal, act: (s: Subscription) => Reply): Reply {
    const s = this.subscriptions.get(request.params.id!.toLowerCase());
    if (!s || s.tenantId !== principal.tenant.id || s.applicationId !== principal.appId)
      return graphError(404, 'ResourceNotFound', `The object was not found. Subscription '${request.params.id}' does not exist.`, request);
    return act(s);
  }

  private render(request: EmulatorRequest, s: Subscription): Record<string, unknown> {
    return {
      '@odata.context': odataContext(request, 'subscriptions/$entity', null),
      id: s.id,
      resource: s.resource,
      applicationId: s.applicationId,
      changeType: s.changeType,
      clientState: s.clientState,
      notificationUrl: s.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl,
      expirationDateTime: s.expirationDateTime,
      creatorId: s.creatorId,
      includeResourceData: s.includeResourceData,
      latestSupportedTlsVersion: s.latestSupportedTlsVersion,
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  private expirationProblem(expiration: string): string | null {
    const minutes = (new Date(expiration).getTime() - Date.now()) / 60_000;
    if (minutes <= 0) return 'Subscription expiration can only be in the future.';
    if (minutes > MAX_MINUTES) return `Subscription expiration can only be ${MAX_MINUTES} minutes in the future.`;
    return null;
  }

  private async create(request: EmulatorRequest, principal: GraphPrincipal): Promise<Reply> {
    const parsed = createBody.safeParse(bodyJson(request));
    if (!parsed.success) return graphError(400, 'ValidationError', `Invalid subscription: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, request);
    const body = parsed.data;
    const kind = resourceKind(body.resource);
    if (!kind) return graphError(400, 'InvalidRequest', `Resource '${body.resource}' is not supported for subscriptions by this emulator (users, groups, groups/{id}/members).`, request);
    const needed = kind.kind === 'users' ? PERMISSIONS.readUsers : kind.kind === 'groups' ? PERMISSIONS.readGroups : PERMISSIONS.readMembers;
    if (!allows(principal, needed)) return insufficientPrivileges(request);
    if (kind.kind === 'members' && !principal.tenant.activeGroup(kind.groupId)) return graphError(404, 'ResourceNotFound', `Group '${kind.groupId}' does not exist.`, request);
    const changeTypes = body.changeType.split(',').map((c) => c.trim());
    const bad = changeTypes.find((c) => c !== 'updated' && c !== 'deleted');
    if (bad) return graphError(400, 'ValidationError', `ChangeType '${bad}' is not supported for resource '${body.resource}': use updated and/or deleted.`, request);
    const problem = this.expirationProblem(body.expirationDateTime);
    if (problem) return graphError(400, 'ValidationError', problem, request);
    const urlProblem = this.urlProblem(body.notificationUrl) ?? (body.lifecycleNotificationUrl ? this.urlProblem(body.lifecycleNotificationUrl) : null);
    if (urlProblem) return graphError(400, 'ValidationError', urlProblem, request);

    const subscription: Subscription = {
      id: randomUUID(),
      tenantId: principal.tenant.id,
      applicationId: principal.appId,
      resource: body.resource,
      changeType: changeTypes.join(','),
      notificationUrl: body.notificationUrl,
      lifecycleNotificationUrl: body.lifecycleNotificationUrl ?? null,
      expirationDateTime: new Date(body.expirationDateTime).toISOString(),
      clientState: body.clientState ?? null,
      creatorId: principal.userId ?? principal.appId,
      latestSupportedTlsVersion: body.latestSupportedTlsVersion ?? 'v1_2',
      includeResourceData: body.includeResourceData ?? false,
    };
    for (const url of [subscription.notificationUrl, subscription.lifecycleNotificationUrl]) {
      if (!url) continue;
      const failure = await this.validate(subscription.id, url);
      if (failure) return graphError(400, 'ValidationError', `Subscription validation request failed. ${failure}`, request);
    }
    this.subscriptions.set(subscription.id, subscription);
    this.scheduleLifecycle(subscription);
    return json(201, this.render(request, subscription));
  }

  /** The handshake: POST `{url}?validationToken=…`; the endpoint must echo the token as text/plain within 10 s. */
  private async validate(subscriptionId: string, url: string): Promise<string | null> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    try {
      const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '', signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS) });
      const text = await res.text();
      this.deliveries.push({ subscriptionId, url, kind: 'validation', at: new Date().toISOString(), status: res.status, items: 0 });
      if (res.status !== 200) return `Response status code does not indicate success: ${res.status}.`;
      if (!(res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) return 'The validation response must have Content-Type text/plain.';
      if (text !== token) return 'The validation response did not contain the validation token.';
      return null;
    } catch (error) {
      this.deliveries.push({ subscriptionId, url, kind: 'validation', at: new Date().toISOString(), status: 'error', items: 0 });
      return `The notification endpoint could not be reached: ${error instanceof Error ? error.message : String(error)}.`;
    }
  }

  private onChange(tenant: Tenant, change: DirectoryChange): void {
    const now = Date.now();
    for (const s of this.subscriptions.values()) {
      if (s.tenantId !== tenant.id || new Date(s.expirationDateTime).getTime() < now) continue;
      const kind = resourceKind(s.resource)!;
      const notification = this.notificationFor(s, kind, tenant, change);
      if (!notification || !s.changeType.split(',').includes(notification.changeType!)) continue;
      this.enqueue(s, notification);
    }
  }

  private notificationFor(s: Subscription, kind: ResourceKind, tenant: Tenant, change: DirectoryChange): Notification | null {
    const base = { subscriptionId: s.id, subscriptionExpirationDateTime: s.expirationDateTime, clientState: s.clientState, tenantId: tenant.id };
    if (change.kind === 'user' && kind.kind === 'users') {
      return { ...base, changeType: change.changeType, resource: `Users/${change.id}`, resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${change.id}`, id: change.id, organizationId: tenant.id } };
    }
    if (change.kind === 'group' && kind.kind === 'groups') {
      return { ...base, changeType: change.changeType, resource: `Groups/${change.id}`, resourceData: { '@odata.type': '#Microsoft.Graph.Group', '@odata.id': `Groups/${change.id}`, id: change.id, organizationId: tenant.id } };
    }
    if (change.kind === 'membership' && (kind.kind === 'groups' || (kind.kind === 'members' && kind.groupId === change.groupId.toLowerCase()))) {
      const member: Record<string, unknown> = { id: change.memberId };
      if (!change.added) member['@removed'] = { reason: 'deleted' };
      return {
        ...base,
        changeType: 'updated',
        resource: `Groups/${change.groupId}`,
        resourceData: { '@odata.type': '#Microsoft.Graph.Group', '@odata.id': `Groups/${change.groupId}`, id: change.groupId, organizationId: tenant.id, 'members@delta': [member] },
      };
    }
    return null;
  }

  private enqueue(s: Subscription, notification: Notification): void {
    const queue = this.pending.get(s.id) ?? [];
    queue.push(notification);
    this.pending.set(s.id, queue);
    if (this.timers.has(s.id) || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(s.id);
      const batch = this.pending.get(s.id) ?? [];
      this.pending.delete(s.id);
      if (batch.length > 0) void this.deliver(s.id, s.notificationUrl, 'notification', batch, 0);
    }, DEBOUNCE_MS);
    timer.unref();
    this.timers.set(s.id, timer);
  }

  private async deliver(subscriptionId: string, url: string, kind: 'notification' | 'lifecycle', value: Notification[], attempt: number, firstAt = Date.now()): Promise<void> {
    if (this.closed) return;
    let status: number | 'error' = 'error';
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ value }), signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
      status = res.status;
      await res.arrayBuffer();
    } catch (error) {
      this.logger.debug({ err: error, url }, 'notification delivery failed');
    }
    this.deliveries.push({ subscriptionId, url, kind, at: new Date().toISOString(), status, items: value.length });
    if (this.deliveries.length > 1000) this.deliveries.splice(0, this.deliveries.length - 1000);
    if ((status === 'error' || status >= 300) && attempt >= 0 && !this.closed) {
      const { firstRetryDelayMs, maxRetryDelayMs, retryWindowMs } = this.timing;
      const delay = Math.min(firstRetryDelayMs * 2 ** attempt, maxRetryDelayMs);
      if (Date.now() + delay - firstAt <= retryWindowMs) setTimeout(() => void this.deliver(subscriptionId, url, kind, value, attempt + 1, firstAt), delay).unref();
    }
  }

  /** Sends a lifecycle event (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) to the subscription's lifecycle URL. */
  async lifecycle(tenantId: string, subscriptionId: string, event: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed'): Promise<DeliveryRecord | null> {
    const s = this.subscriptions.get(subscriptionId.toLowerCase());
    if (!s || s.tenantId !== tenantId) return null;
    const url = s.lifecycleNotificationUrl ?? s.notificationUrl;
    // Lifecycle events are sent once (attempt -1: no retries).
    await this.deliver(s.id, url, 'lifecycle', [{ subscriptionId: s.id, subscriptionExpirationDateTime: s.expirationDateTime, clientState: s.clientState, tenantId, lifecycleEvent: event }], -1);
    if (event === 'subscriptionRemoved') {
      this.subscriptions.delete(s.id);
      clearTimeout(this.reauthorizationTimers.get(s.id));
    }
    return this.deliveries.at(-1) ?? null;
  }
}
