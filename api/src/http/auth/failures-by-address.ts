/**
 * Refusals counted per client address in fixed windows: past `maxFailures` within
 * `windowMs` an address must wait until its window ends. At most `maxAddresses` windows are
 * kept, the ones touched longest ago dropped first, so a crowd of addresses cannot grow
 * memory without limit. Counts live in this process: several api instances each count
 * their own share. Failed sign-ins and onboarding-link guesses both count this way.
 */
export interface FailuresByAddressSettings {
  maxFailures: number;
  windowMs: number;
  maxAddresses?: number;
  now?: () => number;
}

interface Window {
  startedAt: number;
  failures: number;
}

export function createFailuresByAddress(settings: FailuresByAddressSettings) {
  const { maxFailures, windowMs } = settings;
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

export type FailuresByAddress = ReturnType<typeof createFailuresByAddress>;
