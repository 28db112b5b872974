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

interface Window {
  startedAt: number;
  failures: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRedemptionGuard(settings: RedemptionGuardSettings = {}) {
  const maxFailures = settings.maxFailures ?? 10;
  const windowMs = settings.windowMs ?? 15 * 60_000;
  const paceMs = settings.paceMs ?? 250;
  const now = settings.now ?? (() => Date.now());
  const sleep = settings.sleep ?? sleepFor;
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
    begin(address: string): RedemptionAttempt {
      const startedAt = now();
      const window = current(address);
      const blocked = window !== undefined && window.failures >= maxFailures;
      return {
        retryAfterSeconds: blocked ? Math.max(1, Math.ceil((window.startedAt + windowMs - startedAt) / 1000)) : null,
        async settle(outcome) {
          if (outcome === 'refused') {
            const open = current(address) ?? { startedAt: now(), failures: 0 };
            open.failures += 1;
            windows.set(address, open);
          }
          // Old windows of addresses that never came back are forgotten.
          if (windows.size > 10_000) for (const key of windows.keys()) current(key);
          const wait = startedAt + paceMs - now();
          if (wait > 0) await sleep(wait);
        },
      };
    },
  };
}

export type RedemptionGuard = ReturnType<typeof createRedemptionGuard>;
