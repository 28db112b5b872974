import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { ZodType } from 'zod';
import type { Logger } from '../service/logger';
import {
  GraphError,
  type GraphBatchResult,
  type GraphPage,
  type GraphReadOptions,
  type GraphReader,
  type GraphRequestOptions,
  type GraphWriter,
} from './graph-reader';
import { describeRequest, graphErrorFrom, unexpectedResponse } from './graph-errors';
import { AuthorizationMiddleware, GraphCall, RetryMiddleware, TransportMiddleware, abortedError, type RequestCounter, type ThrottlePriority } from './graph-middleware';
import { batchEnvelope, firstIssue, pageEnvelope } from './page-envelope';
import { RequestSlots } from './request-slots';
import { ResourceUnitPacer } from './resource-unit-pacer';
import { backoffMs, mayRetry, retryAfterMs, retryableStatuses, type GraphClock, type RetrySettings } from './retry-policy';
import type { AppTokenSource } from './tenant-token';

/** Graph accepts at most 20 requests in one `$batch`. */
export const batchLimit = 20;

export interface MicrosoftGraphReaderSetup {
  tenantId: string;
  /** Origin (and optional path prefix) of Graph, without `/v1.0`: `https://graph.microsoft.com` or the emulator's base. */
  graphBaseUrl: string;
  tokens: AppTokenSource;
  maxConcurrency: number;
  retry: RetrySettings;
  requestTimeoutMs: number;
  clock: GraphClock;
  random: () => number;
  signal?: AbortSignal;
  logger?: Logger;
  priority?: ThrottlePriority;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  call: GraphCall;
}

/** GraphReader over `@microsoft/microsoft-graph-client` with our middleware chain. */
export class MicrosoftGraphReader implements GraphReader, GraphWriter {
  private readonly client: Client;
  private readonly counter: RequestCounter = { count: 0 };
  private readonly versionBase: string;
  private readonly pacer: ResourceUnitPacer;

  constructor(private readonly setup: MicrosoftGraphReaderSetup) {
    this.pacer = new ResourceUnitPacer(setup.clock);
    const base = setup.graphBaseUrl.replace(/\/+$/, '');
    this.versionBase = `${base}/v1.0`;
    const origin = new URL(base).origin;
    this.client = Client.initWithMiddleware({
      baseUrl: base,
      defaultVersion: 'v1.0',
      customHosts: new Set([new URL(base).host]),
      middleware: [
        new RetryMiddleware({ settings: setup.retry, clock: setup.clock, random: setup.random, tenantId: setup.tenantId, graphBaseUrl: base, logger: setup.logger }),
        new AuthorizationMiddleware(setup.tokens, origin),
        new TransportMiddleware(new RequestSlots(setup.maxConcurrency), this.counter, setup.requestTimeoutMs, this.pacer, setup.clock, setup.priority),
      ],
    });
  }

  /** HTTP requests to Graph so far, retries and `$batch` calls included; token requests are not Graph requests and are not counted. */
  get requestCount(): number {
    return this.counter.count;
  }

  /** Resource units Graph reported for this reader's requests (`x-ms-resource-unit`, `$batch` items included). */
  get resourceUnits(): number {
    return this.pacer.totalUnits;
  }

  /** Requests this reader held back to stay inside the resource-unit budget or Graph's Retry-After. */
  get pacedWaits(): number {
    return this.pacer.waits;
  }

  async get<T>(pathOrUrl: string, options: GraphReadOptions<T> = {}): Promise<T> {
    const answer = await this.send('GET', pathOrUrl, options);
    this.throwUnlessOk(answer);
    return this.checked(answer.body, options.schema, answer.call.description);
  }

  async write<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, options: GraphReadOptions<T> = {}): Promise<T> {
    const answer = await this.send(method, path, options, body);
    this.throwUnlessOk(answer);
    return this.checked(answer.body, options.schema, answer.call.description);
  }

  async *pages<T>(pathOrUrl: string, options: GraphReadOptions<T> = {}): AsyncGenerator<GraphPage<T>> {
    let next: string | undefined = pathOrUrl;
    while (next !== undefined) {
      const answer = await this.send('GET', next, options);
      this.throwUnlessOk(answer);
      const envelope = pageEnvelope.safeParse(answer.body);
      if (!envelope.success) throw unexpectedResponse(answer.call.description, firstIssue(envelope.error));
      const data = envelope.data;
      const page: GraphPage<T> = { value: data.value.map((item) => this.checked(item, options.schema, answer.call.description)) };
      if (data['@odata.nextLink'] !== undefined) page.nextLink = data['@odata.nextLink'];
      if (data['@odata.deltaLink'] !== undefined) page.deltaLink = data['@odata.deltaLink'];
      if (data['@odata.count'] !== undefined) page.count = data['@odata.count'];
      // A nextLink that points back at the page just read would loop forever.
      if (page.nextLink !== undefined && page.nextLink === answer.call.url) {
        throw unexpectedResponse(answer.call.description, '@odata.nextLink repeats the page it is on');
      }
      yield page;
      next = page.nextLink;
    }
  }

  async batch<T>(paths: string[], options: GraphReadOptions<T> = {}): Promise<Array<GraphBatchResult<T>>> {
    const chunks: string[][] = [];
    for (let i = 0; i < paths.length; i += batchLimit) chunks.push(paths.slice(i, i + batchLimit));
    const results = await Promise.all(chunks.map((chunk) => this.batchChunk(chunk, options)));
    return results.flat();
  }

  /** One `$batch` of at most 20 GETs; items Graph throttled are sent again, alone, after their Retry-After. */
  private async batchChunk<T>(paths: string[], options: GraphReadOptions<T>): Promise<Array<GraphBatchResult<T>>> {
    const { clock, retry, random } = this.setup;
    const urls = paths.map((p) => this.batchItemUrl(p));
    const results: Array<GraphBatchResult<T> | undefined> = new Array<GraphBatchResult<T> | undefined>(paths.length);
    const budget = { startedAt: clock.now(), attempts: 0 };
    let pending = urls.map((_, index) => index);

    while (pending.length > 0) {
      budget.attempts += 1;
      const requests = pending.map((index) => ({
        id: String(index + 1),
        method: 'GET',
        url: urls[index]!,
        ...(options.headers ? { headers: options.headers } : {}),
      }));
      const answer = await this.send('POST', '/$batch', options, { requests });
      this.throwUnlessOk(answer);
      const envelope = batchEnvelope.safeParse(answer.body);
      if (!envelope.success) throw unexpectedResponse(answer.call.description, firstIssue(envelope.error));

      const throttled: Array<{ index: number; status: number; body: unknown; headers: Headers }> = [];
      let wait = 0;
      const now = clock.now();
      for (const item of envelope.data.responses) {
        const index = Number(item.id) - 1;
        if (!pending.includes(index) || results[index] !== undefined) continue; // not ours, or a duplicate
        const headers = new Headers(item.headers ?? {});
        this.pacer.record(headers);
        const description = describeRequest('GET', `${this.versionBase}${urls[index]}`);
        if (retryableStatuses.has(item.status)) {
          throttled.push({ index, status: item.status, body: item.body, headers });
          wait = Math.max(wait, retryAfterMs(headers.get('retry-after'), now) ?? backoffMs(budget.attempts, retry, random));
        } else if (item.status >= 200 && item.status < 300) {
          try {
            results[index] = { ok: true, status: item.status, body: this.checked(item.body, options.schema, description) };
          } catch (error) {
            results[index] = { ok: false, status: item.status, error: error as GraphError };
          }
        } else {
          const error = graphErrorFrom({ status: item.status, body: item.body, requestIdHeader: headers.get('request-id'), request: description, tenantId: this.setup.tenantId });
          results[index] = { ok: false, status: item.status, error };
        }
      }
      for (const index of pending) {
        if (results[index] === undefined && !throttled.some((t) => t.index === index)) {
          results[index] = { ok: false, status: 0, error: unexpectedResponse(answer.call.description, `no response for request ${index + 1}`) };
        }
      }
      if (throttled.length === 0) break;
      if (!mayRetry(budget, wait, clock.now(), retry)) {
        const exhausted = { attempts: budget.attempts, elapsedMs: clock.now() - budget.startedAt };
        for (const t of throttled) {
          const description = describeRequest('GET', `${this.versionBase}${urls[t.index]}`);
          const error = graphErrorFrom({ status: t.status, body: t.body, requestIdHeader: t.headers.get('request-id'), request: description, tenantId: this.setup.tenantId, exhausted });
          results[t.index] = { ok: false, status: t.status, error };
        }
        break;
      }
      this.setup.logger?.warn({ tenantId: this.setup.tenantId, throttledItems: throttled.length, delayMs: wait }, 'Graph throttled $batch items; sending them again');
      // The whole reader holds back as long, not only this batch: the budget is the tenant's.
      this.pacer.pause(wait);
      const signal = this.callSignal(options);
      try {
        await clock.sleep(wait, signal);
      } catch {
        throw abortedError(answer.call.description, signal);
      }
      pending = throttled.map((t) => t.index);
    }
    return results.map((result) => result!);
  }

  /** A batch item's URL: relative to `/v1.0`, as `$batch` requires. */
  private batchItemUrl(pathOrUrl: string): string {
    const absolute = this.absoluteUrl(pathOrUrl);
    if (!absolute.startsWith(`${this.versionBase}/`)) {
      throw new GraphError(0, 'ForeignUrl', `A $batch item must be a Graph v1.0 URL (got ${describeRequest('GET', absolute)}).`);
    }
    return absolute.slice(this.versionBase.length);
  }

  private absoluteUrl(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) return pathOrUrl;
    return `${this.versionBase}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
  }

  private callSignal(options: GraphRequestOptions): AbortSignal | undefined {
    const signals = [this.setup.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    if (signals.length <= 1) return signals[0];
    return AbortSignal.any(signals);
  }

  /** Sends one request through the client and its middleware; every outcome but an answer throws our error. */
  private async send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', pathOrUrl: string, options: GraphRequestOptions, body?: unknown): Promise<Answer> {
    const url = this.absoluteUrl(pathOrUrl);
    const call = new GraphCall(url, method, this.callSignal(options), this.setup.clock.now());
    if (call.signal?.aborted) throw abortedError(call.description, call.signal);
    let request = this.client.api(url).middlewareOptions([call]).responseType(ResponseType.RAW);
    if (options.headers) request = request.headers(options.headers);
    let response: Response;
    try {
      response = (await (method === 'GET' ? request.get() : method === 'POST' ? request.post(body) : method === 'PATCH' ? request.patch(body) : request.delete())) as Response;
    } catch (error) {
      if (call.failure !== undefined) throw call.failure;
      throw new GraphError(0, 'GraphRequestFailed', `${call.description} failed before Graph answered: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text();
    let parsed: unknown = text;
    if (text !== '' && /json/i.test(response.headers.get('content-type') ?? 'application/json')) {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        if (response.ok) throw unexpectedResponse(call.description, 'the body is not JSON');
      }
    } else if (text === '') {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, call };
  }

  private throwUnlessOk(answer: Answer): void {
    if (answer.status >= 200 && answer.status < 300) return;
    throw graphErrorFrom({
      status: answer.status,
      body: answer.body,
      requestIdHeader: answer.headers.get('request-id'),
      request: answer.call.description,
      tenantId: this.setup.tenantId,
      exhausted: answer.call.exhausted,
    });
  }

  private checked<T>(value: unknown, schema: ZodType<T> | undefined, description: string): T {
    if (!schema) return value as T;
    const result = schema.safeParse(value);
    if (!result.success) throw unexpectedResponse(description, firstIssue(result.error));
    return result.data;
  }
}
