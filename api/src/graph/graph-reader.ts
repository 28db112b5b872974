/**
 * The boundary between the sync engine and Microsoft Graph. `sync/` composes Graph URLs
 * (which endpoint, which $select) and reads pages through this interface; `graph/`
 * owns tokens, retries, throttling, paging mechanics and request counting. The same
 * implementation talks to the real cloud and to the emulator: only base URLs and
 * credentials differ.
 */

import type { ZodType } from 'zod';

/** One page of a Graph collection, as Graph sends it. */
export interface GraphPage<T> {
  value: T[];
  /** `@odata.nextLink`: absolute URL of the next page, sent back as is. */
  nextLink?: string;
  /** `@odata.deltaLink`: present on the last page of a delta round. */
  deltaLink?: string;
  /** `@odata.count`, on the first page when asked for. */
  count?: number;
}

export interface GraphRequestOptions {
  /** Extra headers sent on every request of the call (e.g. ConsistencyLevel: eventual, which nextLinks do not carry). */
  headers?: Record<string, string>;
  /** Stops the call between requests (and aborts the one in flight). */
  signal?: AbortSignal;
}

/**
 * A request whose answer the caller wants checked. The schema describes the caller's shape
 * (a resource for `get`, one item for `pages`, one body for `batch`); a payload that does not
 * match becomes a `GraphError` with code `UnexpectedGraphResponse`. Without it, `T` is
 * trusted as is.
 */
export interface GraphReadOptions<T> extends GraphRequestOptions {
  schema?: ZodType<T>;
}

export interface GraphReader {
  /** GET one resource or page: a path relative to `/v1.0` (e.g. `/organization`) or an absolute nextLink/deltaLink. */
  get<T>(pathOrUrl: string, options?: GraphReadOptions<T>): Promise<T>;
  /** Pages of a collection, following `@odata.nextLink` until a page has none (delta rounds end with a deltaLink). */
  pages<T>(pathOrUrl: string, options?: GraphReadOptions<T>): AsyncIterable<GraphPage<T>>;
  /** Up to 20 GETs in one `$batch` call (more are split into several calls); each item retried on its own when throttled. Results in request order. */
  batch<T>(paths: string[], options?: GraphReadOptions<T>): Promise<Array<GraphBatchResult<T>>>;
  /** HTTP requests sent so far by this reader, retries included. */
  readonly requestCount: number;
  /** Resource units Graph reported for them, when the reader reads `x-ms-resource-unit`. */
  readonly resourceUnits?: number;
}

/**
 * The few writes the api makes to Graph (change-notification subscriptions), through the
 * same tokens, retries and counting as the reads.
 */
export interface GraphWriter {
  write<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, options?: GraphReadOptions<T>): Promise<T>;
}

export type GraphBatchResult<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: GraphError };

/** Graph said no, or never answered usefully after the retries we allow. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    /** Graph's `error.code` (e.g. `Authorization_RequestDenied`, `TooManyRequests`), or ours for transport failures. */
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

/** A saved delta link Graph no longer accepts (410 Gone, syncStateNotFound, resyncRequired): start over with a full round. */
export class DeltaTokenExpiredError extends GraphError {
  constructor(message: string, requestId?: string) {
    super(410, 'DeltaTokenExpired', message, requestId);
    this.name = 'DeltaTokenExpiredError';
  }
}

/**
 * Why an app token could not be had, in the terms of what someone must do about it:
 * `consent_missing` — an admin of the tenant must connect Microsoft 365 again;
 * `bad_credentials` — the app's id or secret in our configuration is wrong or expired;
 * `unknown_tenant` — the tenant id or domain does not exist;
 * `unreachable` — the login endpoint did not answer (transient, retried);
 * `other` — anything else Entra said.
 */
export type GraphAuthenticationReason = 'consent_missing' | 'bad_credentials' | 'unknown_tenant' | 'unreachable' | 'other';

/** The tenant's app token could not be had: no consent, consent revoked, bad credentials. */
export class GraphAuthenticationError extends GraphError {
  constructor(
    /** Entra's error: `AADSTS65001` style when Entra gave a number, else its error string (e.g. `invalid_client`). */
    readonly entraError: string,
    message: string,
    readonly reason: GraphAuthenticationReason = 'other',
  ) {
    super(401, entraError, message);
    this.name = 'GraphAuthenticationError';
  }
}
