import { watchAbort } from './abort-watch';

/**
 * When to try a Graph request again, and how long to wait first (GRAPH_NOTES, Throttling):
 * `Retry-After` first — seconds, possibly fractional, or an HTTP date — else exponential
 * backoff with jitter. What bounds a call is the time it may take (`maxTotalMs`), not a
 * number of attempts: Graph's throttling answers short Retry-Afters while a bucket refills,
 * and a handful of quick attempts gave up in under a second on a tenant that only needed
 * a few seconds ("Microsoft Graph throttling guidance": keep waiting Retry-After and retrying
 * until the request succeeds, https://learn.microsoft.com/graph/throttling).
 */

export interface RetrySettings {
  /** Requests per call, the first one included; unbounded by default (maxTotalMs bounds the call). */
  maxAttempts: number;
  /** Wall time a call may spend, waits included; a wait that would cross it is not started. */
  maxTotalMs: number;
  /** First backoff when Graph gave no Retry-After; doubles per attempt. */
  baseDelayMs: number;
  /** Ceiling of one backoff (a Retry-After is honoured as given, within maxTotalMs). */
  maxDelayMs: number;
}

export const defaultRetrySettings: RetrySettings = {
  maxAttempts: Number.POSITIVE_INFINITY,
  maxTotalMs: 180_000,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
};

/** Time as the retry loop sees it; tests replace it to check waits without waiting. */
export interface GraphClock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: GraphClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(() => {
        stopWatching?.();
        resolve();
      }, ms);
      const stopWatching =
        signal &&
        watchAbort(signal, () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
    }),
};

/** Statuses Graph documents as "try again": throttled, unavailable, gateway timeout. */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 503, 504]);

/**
 * Milliseconds a `Retry-After` value asks for: delta-seconds (Graph sends fractions such as
 * `2.128`) or an HTTP date. Undefined when absent or unreadable, so backoff applies.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so waits
 * grow but concurrent callers do not retry in lockstep.
 */
export function backoffMs(attempt: number, settings: RetrySettings, random: () => number = Math.random): number {
  const step = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

export interface RetryBudget {
  readonly startedAt: number;
  /** Requests sent so far in this call. */
  attempts: number;
}

/** Whether another attempt fits: under maxAttempts, and the wait ends before maxTotalMs. */
export function mayRetry(budget: RetryBudget, delayMs: number, now: number, settings: RetrySettings): boolean {
  if (budget.attempts >= settings.maxAttempts) return false;
  return now - budget.startedAt + delayMs <= settings.maxTotalMs;
}

/** Error codes of failures where the connection, not Graph, broke: worth another try. */
const transientCodes = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Failures no retry will fix: nothing listens there, the name does not resolve, the certificate is not trusted. */
const permanentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ERR_INVALID_URL']);

export type TransportFailureKind = 'transient' | 'unreachable' | 'untrusted_certificate' | 'other';

/** Reads a fetch failure, walking its `cause` chain (undici wraps socket errors in "fetch failed"). */
export function transportFailureKind(error: unknown): TransportFailureKind {
  let sawTransient = false;
  for (let current: unknown = error, depth = 0; current && depth < 6; depth += 1) {
    if (typeof current !== 'object') break;
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (permanentCodes.has(code)) return 'unreachable';
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return 'untrusted_certificate';
      if (transientCodes.has(code)) sawTransient = true;
    }
    if (name === 'TimeoutError') sawTransient = true;
    if (typeof message === 'string' && /socket hang up|other side closed|terminated|ECONNRESET/i.test(message)) sawTransient = true;
    current = (current as { cause?: unknown }).cause;
  }
  return sawTransient ? 'transient' : 'other';
}
