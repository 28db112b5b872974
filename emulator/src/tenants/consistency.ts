import { z } from 'zod';

/**
 * What Microsoft documents about delta queries and lists being eventually consistent
 * (https://learn.microsoft.com/graph/delta-query-overview, "Replays" and "Synchronization
 * with ... eventual consistency"; https://learn.microsoft.com/graph/paging: a page can be
 * empty and still carry a nextLink). Off by default; tests switch them on to prove the
 * sync converges anyway.
 */
export const consistencySettings = z.object({
  /** Delta rounds after the first also send again a few objects already sent (unchanged). */
  replays: z.boolean().default(false),
  /** Some objects of a delta round come twice. */
  duplicates: z.boolean().default(false),
  /** Objects within a delta page come in no particular order. */
  shuffle: z.boolean().default(false),
  /** Every delta page with objects is preceded by an empty page that carries a nextLink. */
  emptyPages: z.boolean().default(false),
  /** A change shows in lists and delta rounds only this long after it is made. */
  replicationDelayMs: z.number().int().min(0).max(60_000).default(0),
});

export type ConsistencySettings = z.output<typeof consistencySettings>;
export type ConsistencySettingsInput = z.input<typeof consistencySettings>;
