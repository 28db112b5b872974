import { ApiProblem } from '../api-problem';

/**
 * What the token verifier remembers of the tenants it met, so that tokens naming random
 * tenant ids neither make the api ask Entra once per request nor grow its memory without
 * limit:
 * - tenants whose discovery succeeded (issuer and keys), at most `maxTenants`, the least
 *   recently used forgotten first, each re-discovered after `knownForMs`;
 * - tenants whose discovery failed, apart (so a flood of made-up tenants never pushes a
 *   real one out), at most `maxFailedTenants`: an unknown tenant is not asked about again
 *   for `unknownForMs`; when Entra could not be reached, for `unreachableForMs` only;
 * - and Entra is asked about at most `maxDiscoveriesPerMinute` tenants a minute, whatever
 *   the number of callers: past it, a tenant not in memory is answered 503 with Retry-After
 *   (tenants already known are not affected), so no crowd of addresses makes the api call
 *   Entra once per request either.
 */
export interface TenantDiscoveryCacheSettings {
  maxTenants?: number;
  maxFailedTenants?: number;
  knownForMs?: number;
  unknownForMs?: number;
  unreachableForMs?: number;
  maxDiscoveriesPerMinute?: number;
  now?: () => number;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export interface TenantDiscoveryCache<T> {
  /** The tenant's discovery, from memory when it is there (a failure is answered again as it was). */
  get(tenantId: string): Promise<T>;
  /** How many tenants are remembered, and how many times Entra was asked. */
  stats(): { known: number; failed: number; discoveries: number };
}

export function createTenantDiscoveryCache<T>(discover: (tenantId: string) => Promise<T>, settings: TenantDiscoveryCacheSettings = {}): TenantDiscoveryCache<T> {
  const maxTenants = settings.maxTenants ?? 1000;
  const maxFailedTenants = settings.maxFailedTenants ?? 10_000;
  const knownForMs = settings.knownForMs ?? 24 * 60 * 60_000;
  const unknownForMs = settings.unknownForMs ?? 10 * 60_000;
  const unreachableForMs = settings.unreachableForMs ?? 15_000;
  const maxDiscoveriesPerMinute = settings.maxDiscoveriesPerMinute ?? 120;
  const now = settings.now ?? (() => Date.now());
  let minute = { startedAt: -Infinity, discoveries: 0 };
  const known = new Map<string, Entry<Promise<T>>>();
  const failed = new Map<string, Entry<unknown>>();
  let discoveries = 0;

  /** Map order is insertion order: re-inserting on use keeps the least recently used first. */
  const put = <V>(map: Map<string, Entry<V>>, key: string, entry: Entry<V>, max: number) => {
    map.delete(key);
    map.set(key, entry);
    for (const oldest of map.keys()) {
      if (map.size <= max) break;
      map.delete(oldest);
    }
  };
  const fresh = <V>(map: Map<string, Entry<V>>, key: string): Entry<V> | undefined => {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now()) map.delete(key);
    return entry && entry.expiresAt > now() ? entry : undefined;
  };

  return {
    get(tenantId) {
      const refused = fresh(failed, tenantId);
      if (refused) return Promise.reject(refused.value);
      // Due for a refresh, a tenant we know keeps its keys until the refresh succeeds:
      // a flood of made-up tenants or an Entra outage never turns a customer away.
      const previous = known.get(tenantId);
      if (previous && previous.expiresAt > now()) {
        put(known, tenantId, previous, maxTenants);
        return previous.value;
      }
      if (now() - minute.startedAt >= 60_000) minute = { startedAt: now(), discoveries: 0 };
      if (minute.discoveries >= maxDiscoveriesPerMinute) {
        if (previous) return previous.value;
        const wait = Math.max(1, Math.ceil((minute.startedAt + 60_000 - now()) / 1000));
        return Promise.reject(
          new ApiProblem(503, 'ENTRA_DISCOVERY_LIMITED', `Many sign-ins from organizations new to Users Sync are being checked right now. Try again in ${wait} seconds.`, undefined, { 'retry-after': String(wait) }),
        );
      }
      minute.discoveries += 1;
      discoveries += 1;
      const discovered = discover(tenantId);
      const entry: Entry<Promise<T>> = { value: previous ? discovered.catch(() => previous.value) : discovered, expiresAt: now() + knownForMs };
      put(known, tenantId, entry, maxTenants);
      entry.value.catch((error: unknown) => {
        if (known.get(tenantId) === entry) known.delete(tenantId);
        const unreachable = error instanceof ApiProblem && error.status === 503;
        put(failed, tenantId, { value: error, expiresAt: now() + (unreachable ? unreachableForMs : unknownForMs) }, maxFailedTenants);
      });
      return entry.value;
    },
    stats: () => ({ known: known.size, failed: failed.size, discoveries }),
  };
}
