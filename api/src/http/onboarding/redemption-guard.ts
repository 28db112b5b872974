import { createFailuresByAddress } from '../auth/failures-by-address';

/**
 * What stands between a guesser and the links' secrets, besides their 256 bits:
 * - refusals are counted per client address; past `maxFailures` within `windowMs`, every
 *   attempt from that address is refused (even a right secret) until the window ends;
 * - every answer, accepted or refused, is held until `paceMs` after the request began,
 *   so a wrong secret takes the same time to refuse as a right one to accept.
 * Counts live in this process: several api instances each count their own share.
 */
export interface RedemptionGuardSettings {
  maxFailures?: number;
  windowMs?: number;
  maxAddresses?: number;
  paceMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RedemptionAttempt {
  /** Null while the address may try; otherwise the seconds until it may try again. */
  retryAfterSeconds: number | null;
  /** Call with the outcome once known; resolves when the answer may be sent. */
  settle(outcome: 'accepted' | 'refused'): Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRedemptionGuard(settings: RedemptionGuardSettings = {}) {
  const failures = createFailuresByAddress({ maxFailures: settings.maxFailures ?? 10, windowMs: settings.windowMs ?? 15 * 60_000, maxAddresses: settings.maxAddresses, now: settings.now });
  const paceMs = settings.paceMs ?? 250;
  const now = settings.now ?? (() => Date.now());
  const sleep = settings.sleep ?? sleepFor;

  return {
    begin(address: string): RedemptionAttempt {
      const startedAt = now();
      return {
        retryAfterSeconds: failures.retryAfterSeconds(address),
        async settle(outcome) {
          if (outcome === 'refused') failures.failed(address);
          const wait = startedAt + paceMs - now();
          if (wait > 0) await sleep(wait);
        },
      };
    },
  };
}

export type RedemptionGuard = ReturnType<typeof createRedemptionGuard>;
