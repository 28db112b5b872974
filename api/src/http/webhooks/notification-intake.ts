/**
 * How much of Graph's change notifications the api takes in. The webhook is public (a
 * notification proves itself by its subscription's clientState, checked item by item), so
 * without bounds one request could buy thousands of subscription lookups and log lines,
 * and a flood of requests thousands more:
 * - at most `maxItems` items of one notification are read (the rest are dropped, said once);
 * - at most `perSecond` notifications a second are taken, with bursts up to that many again;
 *   past it Graph hears 429 with Retry-After and delivers again later (it retries for up
 *   to 4 hours), so a genuine change is delayed, never lost.
 * Validation handshakes are not counted: they do no work.
 */
export interface NotificationIntakeSettings {
  maxItems?: number;
  perSecond?: number;
  now?: () => number;
}

export interface NotificationIntake {
  readonly maxItems: number;
  /** Takes one notification; false when the rate is spent (answer 429, Retry-After 1). */
  take(): boolean;
}

export function createNotificationIntake(settings: NotificationIntakeSettings = {}): NotificationIntake {
  const perSecond = settings.perSecond ?? 50;
  const burst = perSecond * 2;
  const now = settings.now ?? (() => Date.now());
  let tokens = burst;
  let filledAt = now();
  return {
    maxItems: settings.maxItems ?? 1000,
    take() {
      const at = now();
      tokens = Math.min(burst, tokens + ((at - filledAt) / 1000) * perSecond);
      filledAt = at;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
