import { watchAbort } from './abort-watch';

/**
 * How many Graph requests one reader may have on the wire at once. A slot is held for
 * one HTTP exchange (headers and body), not across retry waits, so a throttled call
 * does not keep others from going out.
 */
export class RequestSlots {
  private inUse = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`maxConcurrency must be a whole number of at least 1 (got ${size})`);
  }

  /** Waits for a free slot; the returned function gives it back (once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.inUse < this.size) {
      this.inUse += 1;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        stopWatching?.();
        resolve();
      };
      this.waiting.push(grant);
      const stopWatching =
        signal &&
        watchAbort(signal, () => {
          const index = this.waiting.indexOf(grant);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal.reason);
        });
    });
    // The slot was handed over by release(): inUse already counts it.
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.inUse -= 1;
    };
  }
}
