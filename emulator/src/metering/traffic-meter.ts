/** Per-tenant traffic counters (control API: GET /_emulator/counters). */
export interface TrafficCounters {
  requests: number;
  requestsByRoute: Record<string, number>;
  resourceUnits: number;
  throttled: number;
  forcedFaults: { throttled: number; unavailable: number; dropped: number };
  statuses: Record<string, number>;
}

export interface LoggedRequest {
  at: string;
  requestId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  tenantId: string | null;
  appId: string | null;
  resourceUnits: number;
  durationMs: number;
  /** Set for the items of a `$batch`. */
  batchId?: string;
}

const LOG_SIZE = 2000;

function emptyCounters(): TrafficCounters {
  return { requests: 0, requestsByRoute: {}, resourceUnits: 0, throttled: 0, forcedFaults: { throttled: 0, unavailable: 0, dropped: 0 }, statuses: {} };
}

export class TrafficMeter {
  private readonly byTenant = new Map<string, TrafficCounters>();
  private readonly log: LoggedRequest[] = [];

  private counters(tenantId: string | null): TrafficCounters {
    const key = tenantId ?? '(none)';
    let c = this.byTenant.get(key);
    if (!c) this.byTenant.set(key, (c = emptyCounters()));
    return c;
  }

  record(entry: LoggedRequest, forced?: 'throttled' | 'unavailable' | 'dropped'): void {
    const c = this.counters(entry.tenantId);
    c.requests++;
    c.requestsByRoute[entry.route] = (c.requestsByRoute[entry.route] ?? 0) + 1;
    c.resourceUnits += entry.resourceUnits;
    c.statuses[String(entry.status)] = (c.statuses[String(entry.status)] ?? 0) + 1;
    if (entry.status === 429) c.throttled++;
    if (forced) c.forcedFaults[forced]++;
    this.log.push(entry);
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }

  snapshot(tenantId?: string): Record<string, TrafficCounters> | TrafficCounters {
    if (tenantId) return structuredClone(this.byTenant.get(tenantId) ?? emptyCounters());
    return structuredClone(Object.fromEntries(this.byTenant));
  }

  requests(filter: { tenantId?: string; limit?: number }): LoggedRequest[] {
    const matching = filter.tenantId ? this.log.filter((e) => e.tenantId === filter.tenantId) : this.log;
    return matching.slice(-(filter.limit ?? 200));
  }

  reset(tenantId?: string): void {
    if (tenantId) {
      this.byTenant.delete(tenantId);
      for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i]!.tenantId === tenantId) this.log.splice(i, 1);
    } else {
      this.byTenant.clear();
      this.log.length = 0;
    }
  }
}
