import { TokenBucket } from './token-bucket';

export interface ThrottlingSettings {
  enabled: boolean;
  /** Overrides the size-based budget (RU per 10 s) for this tenant; null = by tenant size. */
  resourceUnitsPer10Seconds: number | null;
}

export type ThrottleDecision =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; retryAfterSeconds: number; headers: Record<string, string> };

const APP_WIDE_CAPACITY = 150_000;
const APP_WIDE_WINDOW_MS = 20_000;

/** Identity and access throttling: a bucket per app+tenant sized by tenant size, and one per app across tenants. */
export function tenantBudget(activeUsers: number): number {
  if (activeUsers < 50) return 3_500;
  if (activeUsers <= 500) return 5_000;
  return 8_000;
}

export class GraphThrottle {
  private readonly tenantBuckets = new Map<string, TokenBucket>();
  private readonly appBuckets = new Map<string, TokenBucket>();
  private readonly settings = new Map<string, ThrottlingSettings>();

  settingsOf(tenantId: string): ThrottlingSettings {
    return this.settings.get(tenantId) ?? { enabled: true, resourceUnitsPer10Seconds: null };
  }

  configure(tenantId: string, patch: Partial<ThrottlingSettings>): ThrottlingSettings {
    const next = { ...this.settingsOf(tenantId), ...patch };
    this.settings.set(tenantId, next);
    // A new budget starts full, so tests see exactly the configured size.
    for (const key of [...this.tenantBuckets.keys()]) if (key.endsWith(`/${tenantId}`)) this.tenantBuckets.delete(key);
    return next;
  }

  check(appId: string, tenantId: string, activeUsers: number, cost: number): ThrottleDecision {
    const settings = this.settingsOf(tenantId);
    const headers: Record<string, string> = { 'x-ms-resource-unit': String(cost) };
    if (!settings.enabled) return { ok: true, headers };
    const capacity = settings.resourceUnitsPer10Seconds ?? tenantBudget(activeUsers);
    const key = `${appId}/${tenantId}`;
    let bucket = this.tenantBuckets.get(key);
    if (!bucket) this.tenantBuckets.set(key, (bucket = new TokenBucket(capacity, 10_000)));
    bucket.resize(capacity, 10_000);
    let app = this.appBuckets.get(appId);
    if (!app) this.appBuckets.set(appId, (app = new TokenBucket(APP_WIDE_CAPACITY, APP_WIDE_WINDOW_MS)));

    const tenantTake = bucket.take(cost);
    if (!tenantTake.ok) return this.throttled(tenantTake.retryAfterSeconds, `Tenant_Application/ReadWrite/${appId}/${tenantId}`, headers);
    const appTake = app.take(cost);
    if (!appTake.ok) return this.throttled(appTake.retryAfterSeconds, `Application/ReadWrite/${appId}`, headers);
    const used = bucket.usedShare();
    // Graph warns before throttling: the header appears once usage passes 80 %.
    if (used >= 0.8) headers['x-ms-throttle-limit-percentage'] = used.toFixed(2);
    return { ok: true, headers };
  }

  private throttled(retryAfterSeconds: number, scope: string, headers: Record<string, string>): ThrottleDecision {
    return {
      ok: false,
      retryAfterSeconds,
      headers: { ...headers, 'retry-after': formatRetryAfter(retryAfterSeconds), 'x-ms-throttle-scope': scope, 'x-ms-throttle-information': 'ResourceUnitLimitExceeded' },
    };
  }

  reset(): void {
    this.tenantBuckets.clear();
    this.appBuckets.clear();
  }
}

/** Seconds, fractional like Graph's (e.g. `2.128`). */
export function formatRetryAfter(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}
