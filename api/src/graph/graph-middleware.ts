/**
 * The middleware chain the Graph client runs for every request: retry → authorization →
 * transport. We replace the library's default chain rather than tune RetryHandlerOptions:
 * its RetryHandler caps retries at 10 but has no bound on total time, cuts a Retry-After
 * longer than its max delay short (Graph asked for the longer wait), adds under a second
 * of jitter, cannot be cancelled, and never retries a dropped connection (a fetch that
 * throws skips it); its AuthenticationHandler cannot get a fresh token after a 401; its
 * HTTPMessageHandler neither bounds concurrency, counts requests, nor times out.
 */
import { watchAbort } from './abort-watch';
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../service/logger';
import { GraphAuthenticationError, GraphError } from './graph-reader';
import type { RequestSlots } from './request-slots';
import type { ResourceUnitPacer } from './resource-unit-pacer';
import {
  backoffMs,
  mayRetry,
  retryAfterMs,
  retryableStatuses,
  transportFailureKind,
  type GraphClock,
  type RetryBudget,
  type RetrySettings,
} from './retry-policy';
import type { AppTokenSource } from './tenant-token';
import { describeRequest } from './graph-errors';

/**
 * One call's state, handed to the chain as a middleware option. It carries the exact URL
 * (the library rebuilds query strings, and nextLinks must go back as Graph wrote them),
 * the signal, and what happened: attempts, whether retries ran out, and the error a
 * middleware threw (the library wraps thrown errors in its own type; we rethrow ours).
 */
export class GraphCall implements MiddlewareOptions {
  failure?: unknown;
  budget: RetryBudget;
  exhausted?: { attempts: number; elapsedMs: number };
  tokenRefreshed = false;

  constructor(
    readonly url: string,
    readonly method: string,
    readonly signal: AbortSignal | undefined,
    startedAt: number,
  ) {
    this.budget = { startedAt, attempts: 0 };
  }

  private described?: string;

  /** Computed once: every item of a page names its request when it does not match the schema. */
  get description(): string {
    return (this.described ??= describeRequest(this.method, this.url));
  }
}

function callOf(context: Context): GraphCall {
  const call = context.middlewareControl?.getMiddlewareOptions(GraphCall);
  if (!(call instanceof GraphCall)) throw new Error('Graph request sent without its GraphCall option');
  return call;
}

function setHeader(context: Context, name: string, value: string): void {
  const headers: Record<string, string> = {};
  new Headers(context.options?.headers).forEach((v, k) => {
    headers[k] = v;
  });
  headers[name.toLowerCase()] = value;
  context.options = { ...context.options, headers };
}

/** Reads and drops a body we will not use, so its connection goes back to the pool. */
async function discard(response: Response | undefined): Promise<void> {
  await response?.arrayBuffer().catch(() => undefined);
}

/** The error a cancelled call ends with; the signal's reason is its cause. */
export function abortedError(description: string, signal: AbortSignal | undefined): GraphError {
  const error = new GraphError(0, 'RequestAborted', `${description} was cancelled before Graph answered.`);
  if (signal?.reason !== undefined) Object.defineProperty(error, 'cause', { value: signal.reason });
  return error;
}

interface RetrySetup {
  settings: RetrySettings;
  clock: GraphClock;
  random: () => number;
  tenantId: string;
  graphBaseUrl: string;
  logger?: Logger;
}

/**
 * Retries 429/503/504 and dropped connections (and an unreachable login endpoint), waiting
 * Retry-After when given, else backoff; stops at maxAttempts or maxTotalMs. When retries
 * run out on an HTTP answer, that answer is left for the reader to turn into a GraphError
 * carrying Graph's code; when they run out on a broken connection, it throws.
 */
export class RetryMiddleware implements Middleware {
  private next!: Middleware;

  constructor(private readonly setup: RetrySetup) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const call = callOf(context);
    try {
      await this.run(context, call);
    } catch (error) {
      call.failure = call.signal?.aborted ? abortedError(call.description, call.signal) : error;
      throw call.failure;
    }
  }

  private async run(context: Context, call: GraphCall): Promise<void> {
    const { settings, clock, random } = this.setup;
    // One try per pass: a request sent, or a token that could not be had before sending.
    for (;;) {
      if (call.signal?.aborted) throw abortedError(call.description, call.signal);
      call.budget.attempts += 1;
      let thrown: unknown;
      let thrownKind: ReturnType<typeof transportFailureKind> | 'token_unreachable' | undefined;
      context.response = undefined;
      try {
        await this.next.execute(context);
      } catch (error) {
        if (call.signal?.aborted) throw abortedError(call.description, call.signal);
        thrown = error;
        thrownKind = error instanceof GraphAuthenticationError ? (error.reason === 'unreachable' ? 'token_unreachable' : 'other') : transportFailureKind(error);
      }
      const response = context.response as Response | undefined;
      const now = clock.now();

      let delay: number;
      let why: string;
      if (thrown !== undefined) {
        if (thrownKind !== 'transient' && thrownKind !== 'token_unreachable') throw this.transportError(thrown, thrownKind ?? 'other', call);
        delay = backoffMs(call.budget.attempts, settings, random);
        why = errorText(thrown);
      } else if (response && retryableStatuses.has(response.status)) {
        delay = retryAfterMs(response.headers.get('retry-after'), now) ?? backoffMs(call.budget.attempts, settings, random);
        why = `HTTP ${response.status}`;
      } else {
        return;
      }

      if (!mayRetry(call.budget, delay, now, settings)) {
        call.exhausted = { attempts: call.budget.attempts, elapsedMs: now - call.budget.startedAt };
        if (thrown !== undefined) throw this.exhaustedTransportError(thrown, call);
        return; // the last answer (e.g. 429 TooManyRequests) becomes the GraphError
      }
      this.setup.logger?.info(
        { tenantId: this.setup.tenantId, request: call.description, attempt: call.budget.attempts, delayMs: delay, reason: why },
        'Graph request will be retried',
      );
      await discard(response);
      try {
        await clock.sleep(delay, call.signal);
      } catch {
        throw abortedError(call.description, call.signal);
      }
    }
  }

  private transportError(error: unknown, kind: string, call: GraphCall): unknown {
    if (error instanceof GraphError) return error;
    const base = this.setup.graphBaseUrl;
    if (kind === 'unreachable') {
      return new GraphError(0, 'GraphUnreachable', `Could not connect to Microsoft Graph at ${base} for ${call.description} (${errorText(error)}): check GRAPH_BASE_URL and that the service (or the emulator) is running.`);
    }
    if (kind === 'untrusted_certificate') {
      return new GraphError(0, 'GraphCertificateUntrusted', `The TLS certificate of ${base} is not trusted (${errorText(error)}): for the emulator, start the api with NODE_EXTRA_CA_CERTS pointing at data/certs/dev-ca.pem (npm start does this).`);
    }
    return new GraphError(0, 'GraphRequestFailed', `${call.description} failed before Graph answered: ${errorText(error)}`);
  }

  private exhaustedTransportError(error: unknown, call: GraphCall): unknown {
    if (error instanceof GraphAuthenticationError) return error;
    const seconds = Math.round((call.exhausted?.elapsedMs ?? 0) / 100) / 10;
    return new GraphError(
      0,
      'GraphConnectionFailed',
      `The connection to Microsoft Graph kept breaking during ${call.description}: gave up after ${call.budget.attempts} attempts in ${seconds} s (${errorText(error)}). Nothing was lost; run the sync again later.`,
    );
  }
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? `: ${(cause as { code?: string }).code ?? cause.message}` : '';
  return `${error.message}${causeText}`;
}

/**
 * Puts the tenant's app token on requests to the Graph origin only (a nextLink to another
 * host never gets it). A 401 gets one retry with a token fetched anew, then is left to fail.
 */
export class AuthorizationMiddleware implements Middleware {
  private next!: Middleware;

  constructor(
    private readonly tokens: AppTokenSource,
    private readonly graphOrigin: string,
  ) {}

  /** MSAL takes no signal: the wait for a token is raced against the call's instead. */
  private async token(call: GraphCall, fresh: boolean): Promise<string> {
    const signal = call.signal;
    if (!signal) return this.tokens.appToken({ fresh });
    signal.throwIfAborted();
    let stopWatching: (() => void) | undefined;
    const aborted = new Promise<never>((_resolve, reject) => {
      stopWatching = watchAbort(signal, () => reject(abortedError(call.description, signal)));
    });
    try {
      return await Promise.race([this.tokens.appToken({ fresh }), aborted]);
    } finally {
      stopWatching?.();
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const call = callOf(context);
    if (new URL(call.url).origin !== this.graphOrigin) {
      throw new GraphError(0, 'ForeignUrl', `Refusing to send the Graph token to ${new URL(call.url).origin}: only ${this.graphOrigin} is Microsoft Graph here.`);
    }
    setHeader(context, 'Authorization', `Bearer ${await this.token(call, false)}`);
    await this.next.execute(context);
    const response = context.response as Response | undefined;
    if (response?.status === 401 && !call.tokenRefreshed) {
      call.tokenRefreshed = true;
      await discard(response);
      setHeader(context, 'Authorization', `Bearer ${await this.token(call, true)}`);
      context.response = undefined;
      await this.next.execute(context);
    }
  }
}

/** Counts each HTTP request this reader sends (token requests are MSAL's and not counted). */
export interface RequestCounter {
  count: number;
}

/**
 * How urgent a reader's requests are to Graph: `low` for background work (scheduled runs,
 * change notifications), which Graph throttles first when it must throttle
 * (`x-ms-throttle-priority`, https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 */
export type ThrottlePriority = 'low' | 'normal' | 'high';

/**
 * Sends one HTTP request with the global `fetch` (looked up at call time, so a test's
 * substitute applies), inside a concurrency slot, under the call's signal and a per-request
 * timeout, once the resource-unit pacer lets it go. The body is read here, within the slot
 * and the timeout, so a connection that drops mid-body is a transport failure the retry
 * middleware sees. What the answer says about the budget goes back to the pacer.
 */
export class TransportMiddleware implements Middleware {
  constructor(
    private readonly slots: RequestSlots,
    private readonly counter: RequestCounter,
    private readonly requestTimeoutMs: number,
    private readonly pacer: ResourceUnitPacer,
    private readonly clock: GraphClock,
    private readonly priority?: ThrottlePriority,
  ) {}

  async execute(context: Context): Promise<void> {
    const call = callOf(context);
    await this.pacer.admit(call.signal);
    if (this.priority) setHeader(context, 'x-ms-throttle-priority', this.priority);
    const release = await this.slots.acquire(call.signal);
    try {
      this.counter.count += 1;
      const timeout = AbortSignal.timeout(this.requestTimeoutMs);
      const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
      const { method, headers, body } = context.options ?? {};
      const answer = await fetch(call.url, { method: method ?? call.method, headers, body, signal } as RequestInit);
      const bytes = await answer.arrayBuffer();
      const empty = answer.status === 204 || answer.status === 205 || answer.status === 304;
      context.response = new Response(empty ? null : bytes, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
      this.pacer.record(answer.headers);
      if (retryableStatuses.has(answer.status)) {
        const wait = retryAfterMs(answer.headers.get('retry-after'), this.clock.now());
        if (wait !== undefined) this.pacer.pause(wait);
      }
    } finally {
      release();
    }
  }
}
