import { z } from 'zod';

/**
 * How long Graph takes to answer: a base per request plus a cost per object in the page,
 * with jitter. Microsoft publishes no latency figures: the defaults are an assumption (about
 * 60 ms for a small answer, under a second for a page of 999 users), stated in
 * emulator/README.md. Off in-process unless asked; on by default for the command-line
 * emulator (npm start, benchmarks).
 */
export const latencySettings = z.object({
  enabled: z.boolean().default(false),
  baseMs: z.number().min(0).max(60_000).default(60),
  perObjectMs: z.number().min(0).max(1_000).default(0.8),
  /** Each delay is drawn uniformly within ± this share of itself. */
  jitterShare: z.number().min(0).max(1).default(0.2),
});

export type LatencySettings = z.output<typeof latencySettings>;
export type LatencySettingsInput = z.input<typeof latencySettings>;

export const DEFAULT_LATENCY: LatencySettings = latencySettings.parse({ enabled: true });

export class LatencyModel {
  settings: LatencySettings;

  constructor(
    initial: LatencySettingsInput = {},
    private readonly random: () => number = Math.random,
  ) {
    this.settings = latencySettings.parse(initial);
  }

  /** Milliseconds an answer holding `objects` objects takes (0 when the model is off). */
  delayFor(objects: number): number {
    const { enabled, baseMs, perObjectMs, jitterShare } = this.settings;
    if (!enabled) return 0;
    const nominal = baseMs + perObjectMs * Math.max(0, objects);
    return Math.max(0, nominal * (1 + jitterShare * (2 * this.random() - 1)));
  }
}

/** The objects an answer carries: a page's `value`, else one. */
export function objectsIn(body: unknown): number {
  const value = typeof body === 'object' && body !== null ? (body as { value?: unknown }).value : undefined;
  return Array.isArray(value) ? value.length : 1;
}
