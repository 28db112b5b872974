import type { Request } from 'restify';
import type { RouteId } from '../../contract';
import { ApiProblem } from '../api-problem';
import type { Authenticate } from '../typed-routes';

/**
 * Failing authentications, counted per client address: past `maxFailures` refusals within
 * `windowMs`, every request of that address to a protected route is refused (429, even with
 * a good token) until its window ends, so nobody can try forged tokens (or make us ask
 * Entra about made-up tenants) as fast as they can send them. Only 401s count: a valid
 * sign-in that is not allowed somewhere (403) is no attack, nor is Entra being unreachable.
 * At most `maxAddresses` windows are kept; the oldest go first. Counts live in this
 * process: several api instances each count their own share.
 */
export interface FailedAuthenticationSettings {
  maxFailures?: number;
  windowMs?: number;
  maxAddresses?: number;
  now?: () => number;
}

interface Window {
  startedAt: number;
  failures: number;
}

export function createFailedAuthenticationLimit(settings: FailedAuthenticationSettings = {}) {
  const maxFailures = settings.maxFailures ?? 30;
  const windowMs = settings.windowMs ?? 60_000;
  const maxAddresses = settings.maxAddresses ?? 10_000;
  const now = settings.now ?? (() => Date.now());
  const windows = new Map<string, Window>();

  const current = (address: string): Window | undefined => {
    const window = windows.get(address);
    if (window && now() - window.startedAt >= windowMs) {
      windows.delete(address);
      return undefined;
    }
    return window;
  };

  return {
    /** Seconds until `address` may try again, or null while it may. */
    retryAfterSeconds(address: string): number | null {
      const window = current(address);
      if (!window || window.failures < maxFailures) return null;
      return Math.max(1, Math.ceil((window.startedAt + windowMs - now()) / 1000));
    },
    failed(address: string): void {
      const window = current(address) ?? { startedAt: now(), failures: 0 };
      window.failures += 1;
      windows.delete(address);
      windows.set(address, window);
      // Map order is insertion order: the first keys are the windows touched longest ago.
      for (const key of windows.keys()) {
        if (windows.size <= maxAddresses) break;
        windows.delete(key);
      }
    },
    /** How many addresses are counted now (bounded by `maxAddresses`). */
    get size(): number {
      return windows.size;
    },
  };
}

export type FailedAuthenticationLimit = ReturnType<typeof createFailedAuthenticationLimit>;

/** Wraps an authenticator so that addresses failing too often are refused before their credentials are checked. */
export function limitFailedAuthentications(authenticate: Authenticate, limit: FailedAuthenticationLimit, clientAddress: (req: Request) => string): Authenticate {
  return async (req: Request, route: RouteId) => {
    const address = clientAddress(req);
    const wait = limit.retryAfterSeconds(address);
    if (wait !== null) {
      throw new ApiProblem(
        429,
        'TOO_MANY_FAILED_SIGN_INS',
        `Too many requests from your network carried an access token or secret that is not valid. Wait ${wait} seconds, then reload the tab to sign in again.`,
        undefined,
        { 'retry-after': String(wait) },
      );
    }
    try {
      return await authenticate(req, route);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 401) limit.failed(address);
      throw error;
    }
  };
}
