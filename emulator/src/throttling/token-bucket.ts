/** A token bucket refilled continuously: `capacity` units per `windowMs`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    public capacity: number,
    public windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) * this.capacity) / this.windowMs);
    this.last = t;
  }

  /** Takes `cost` units, or says how many seconds until it could (fractional, like Graph's Retry-After). */
  take(cost: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.refill();
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return { ok: true };
    }
    const missing = Math.min(cost, this.capacity) - this.tokens;
    return { ok: false, retryAfterSeconds: Math.max(0.001, Math.ceil(((missing * this.windowMs) / this.capacity)) / 1000) };
  }

  /** Share of the bucket in use, 0..1. */
  usedShare(): number {
    this.refill();
    return 1 - this.tokens / this.capacity;
  }

  resize(capacity: number, windowMs: number): void {
    if (capacity === this.capacity && windowMs === this.windowMs) return;
    this.refill();
    this.tokens = Math.min(this.tokens, capacity);
    this.capacity = capacity;
    this.windowMs = windowMs;
  }
}
