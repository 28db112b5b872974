import type { GraphClock } from './retry-policy';

/**
 * Keeps one reader's requests inside the tenant's resource-unit budget, so a large run slows
 * down before Graph throttles it instead of meeting a storm of 429s.
 *
 * Identity and access throttling is a token bucket of resource units per app and tenant
 * (3,500 to 8,000 per 10 seconds by tenant size). Graph reports on every answer what the
 * request cost (`x-ms-resource-unit`) and, once the app has used more than 80% of its
 * budget, how much (`x-ms-throttle-limit-percentage`, 0.8 to 1.8): "Microsoft Graph
 * service-specific throttling limits", Identity and access service limits
 * (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 *
 * The pacer sums the units spent in the last window. When Graph warns, the budget is about
 * spent ÷ percentage; from then on a request waits while the window's spend is above a
 * safe share of it. A 429 (or 503) with Retry-After holds every request of the reader, not
 * only the one that met it, until the time Graph asked for has passed.
 */

export interface PacerSettings {
  /** Graph's budget window (10 s for identity and access). */
  windowMs: number;
  /** Share of the learned budget the window may hold before requests wait. */
  safeShare: number;
}

export const defaultPacerSettings: PacerSettings = { windowMs: 10_000, safeShare: 0.85 };

export class ResourceUnitPacer {
  private readonly spent: Array<{ at: number; units: number }> = [];
  private windowUnits = 0;
  /** Resource units per window Graph lets this app spend on this tenant; unknown until Graph warns. */
  private budget = Number.POSITIVE_INFINITY;
  private learnedAt = 0;
  private pausedUntil = 0;
  /** Units Graph reported spent (for benchmarks and progress). */
  totalUnits = 0;
  /** Times a request waited before going out. */
  waits = 0;

  constructor(
    private readonly clock: GraphClock,
    private readonly settings: PacerSettings = defaultPacerSettings,
  ) {}

  /** The budget learned from Graph's warnings, if any. */
  get learnedBudget(): number | undefined {
    return Number.isFinite(this.budget) ? this.budget : undefined;
  }

  /** Waits until a request may go out: past any Retry-After, and with room in the budget. */
  async admit(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      this.forgetBefore(now - this.settings.windowMs);
      // Graph has not warned for a while: whoever else was spending the budget has stopped.
      if (Number.isFinite(this.budget) && now - this.learnedAt > 3 * this.settings.windowMs) this.budget = Infinity;
      let wait = this.pausedUntil - now;
      if (wait <= 0 && this.windowUnits >= this.budget * this.settings.safeShare && this.spent.length > 0) {
        // Room comes back as the oldest spend leaves the window.
        wait = this.spent[0]!.at + this.settings.windowMs - now;
      }
      if (wait <= 0) return;
      this.waits += 1;
      await this.clock.sleep(wait, signal);
    }
  }

  /** Reads what an answer says about the budget: its cost, and Graph's warning when near the limit. */
  record(headers: Headers): void {
    const now = this.clock.now();
    const units = Number(headers.get('x-ms-resource-unit'));
    if (Number.isFinite(units) && units > 0) {
      this.spent.push({ at: now, units });
      this.windowUnits += units;
      this.totalUnits += units;
    }
    const share = Number(headers.get('x-ms-throttle-limit-percentage') ?? NaN);
    if (Number.isFinite(share) && share >= 0.8) {
      this.forgetBefore(now - this.settings.windowMs);
      // The latest estimate wins, not the lowest: the budget is shared with other readers of the
      // same app and tenant, whose spending comes and goes.
      if (this.windowUnits > 0) {
        this.budget = this.windowUnits / share;
        this.learnedAt = now;
      }
    }
  }

  /** Graph asked to wait (429, or 503 with Retry-After): every request of this reader waits as long. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  private forgetBefore(cutoff: number): void {
    while (this.spent.length > 0 && this.spent[0]!.at <= cutoff) this.windowUnits -= this.spent.shift()!.units;
  }
}
