import { z } from 'zod';
import { SeededRandom } from '../generator/seeded-random';

/** Faults injected into a tenant's Graph traffic (control API: PUT /_emulator/tenants/{id}/faults). */
export const faultSettings = z.object({
  /** Added to every Graph request of the tenant. */
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Share (0..1) of requests held `spikeMs` longer than the rest (latency spikes, on top of `latencyMs`). */
  spikeShare: z.number().min(0).max(1).default(0),
  /** How long a latency spike holds a request. */
  spikeMs: z.number().int().min(0).max(60_000).default(0),
  /** Share (0..1) of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  throttleShare: z.number().min(0).max(1).default(0),
  /** Share (0..1) of requests answered 503. */
  unavailableShare: z.number().min(0).max(1).default(0),
  /** Share (0..1) of requests whose connection is dropped without an answer. */
  dropShare: z.number().min(0).max(1).default(0),
  /** Retry-After sent with forced 429/503 (seconds, may be fractional). */
  retryAfterSeconds: z.number().min(0).max(3600).default(1),
  /** The next `count` Graph requests get `status` (429, 503, 504 or "drop"), then traffic is normal again. */
  failNext: z
    .object({ count: z.number().int().min(1).max(10_000), status: z.union([z.literal(429), z.literal(503), z.literal(504), z.literal('drop')]) })
    .nullable()
    .default(null),
  /**
   * The next `count` successful pages (answers carrying a `value` list), after `skip` of them,
   * arrive malformed: an item without its `id`, an item whose `id` is a number, or the JSON
   * cut in the middle. For testing what a client does with a payload it cannot read.
   */
  malformNext: z
    .object({
      count: z.number().int().min(1).max(10_000),
      kind: z.enum(['missing-id', 'wrong-type', 'truncated']),
      skip: z.number().int().min(0).max(10_000).default(0),
    })
    .nullable()
    .default(null),
});

export type FaultSettings = z.output<typeof faultSettings>;
export type FaultSettingsInput = z.input<typeof faultSettings>;

export type FaultDecision = { kind: 'none' } | { kind: 'drop' } | { kind: 'status'; status: 429 | 503 | 504; retryAfterSeconds: number };

export type Malformation = 'missing-id' | 'wrong-type' | 'truncated';

export class TenantFaults {
  private readonly settings = new Map<string, FaultSettings>();
  private readonly random = new SeededRandom(42);

  of(tenantId: string): FaultSettings {
    return this.settings.get(tenantId) ?? faultSettings.parse({});
  }

  set(tenantId: string, settings: FaultSettings): FaultSettings {
    this.settings.set(tenantId, settings);
    return settings;
  }

  clear(tenantId: string): void {
    this.settings.delete(tenantId);
  }

  /** Extra delay of this request: a latency spike for `spikeShare` of them. */
  spike(tenantId: string): number {
    const s = this.settings.get(tenantId);
    if (!s || s.spikeShare <= 0 || s.spikeMs <= 0) return 0;
    return this.random.next() < s.spikeShare ? s.spikeMs : 0;
  }

  /** Whether this successful page is to be malformed, and how (counts down `malformNext`). */
  malformation(tenantId: string): Malformation | null {
    const s = this.settings.get(tenantId);
    const next = s?.malformNext;
    if (!s || !next) return null;
    if (next.skip > 0) {
      s.malformNext = { ...next, skip: next.skip - 1 };
      return null;
    }
    s.malformNext = next.count > 1 ? { ...next, count: next.count - 1 } : null;
    return next.kind;
  }

  decide(tenantId: string): FaultDecision {
    const s = this.settings.get(tenantId);
    if (!s) return { kind: 'none' };
    if (s.failNext) {
      const status = s.failNext.status;
      s.failNext = s.failNext.count > 1 ? { ...s.failNext, count: s.failNext.count - 1 } : null;
      return status === 'drop' ? { kind: 'drop' } : { kind: 'status', status, retryAfterSeconds: s.retryAfterSeconds };
    }
    const roll = this.random.next();
    if (roll < s.dropShare) return { kind: 'drop' };
    if (roll < s.dropShare + s.throttleShare) return { kind: 'status', status: 429, retryAfterSeconds: s.retryAfterSeconds };
    if (roll < s.dropShare + s.throttleShare + s.unavailableShare) return { kind: 'status', status: 503, retryAfterSeconds: s.retryAfterSeconds };
    return { kind: 'none' };
  }
}
