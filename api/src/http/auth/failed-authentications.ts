import type { Request } from 'restify';
import type { RouteId } from '../../contract';
import { ApiProblem } from '../api-problem';
import type { Authenticate } from '../typed-routes';
import { createFailuresByAddress } from './failures-by-address';

/**
 * Failing authentications, counted per client address: past `maxFailures` refusals within
 * `windowMs`, every request of that address to a protected route is refused (429, even with
 * a good token) until its window ends, so nobody can try forged tokens (or make us ask
 * Entra about made-up tenants) as fast as they can send them. Only 401s count: a valid
 * sign-in that is not allowed somewhere (403) is no attack, nor is Entra being unreachable.
 */
export interface FailedAuthenticationSettings {
  maxFailures?: number;
  windowMs?: number;
  maxAddresses?: number;
  now?: () => number;
}

export function createFailedAuthenticationLimit(settings: FailedAuthenticationSettings = {}) {
  return createFailuresByAddress({ maxFailures: settings.maxFailures ?? 30, windowMs: settings.windowMs ?? 60_000, maxAddresses: settings.maxAddresses, now: settings.now });
}

export type FailedAuthenticationLimit = ReturnType<typeof createFailedAuthenticationLimit>;

/**
 * Refusals an honest client meets in ordinary use (a token or console session that expired,
 * a request sent before signing in): they do not count, so an office behind one address is
 * not locked out by its own expiring tokens. Forged, malformed or misdirected credentials do.
 */
const innocentRefusals: ReadonlySet<string> = new Set(['TOKEN_EXPIRED', 'TOKEN_MISSING', 'ONBOARDING_SESSION_MISSING', 'ONBOARDING_SESSION_EXPIRED']);

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
      if (error instanceof ApiProblem && error.status === 401 && !innocentRefusals.has(error.code)) limit.failed(address);
      throw error;
    }
  };
}
