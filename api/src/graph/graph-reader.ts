/**
 * The boundary between the sync engine and Microsoft Graph. `sync/` composes Graph URLs
 * (which endpoint, which $select) and reads pages through this interface; `graph/`
 * owns tokens, retries, throttling, paging mechanics and request counting. The same
 * implementation talks to the real cloud and to the emulator: only base URLs and
 * credentials differ.
 */

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

export interface GraphReader {
  /** GET one resource or page: a path relative to `/v1.0` (e.g. `/organization`) or an absolute nextLink/deltaLink. */
  get<T>(pathOrUrl: string, options?: GraphRequestOptions): Promise<T>;
  /** Pages of a collection, following `@odata.nextLink` until a page has none (delta rounds end with a deltaLink). */
  pages<T>(pathOrUrl: string, options?: GraphRequestOptions): AsyncIterable<GraphPage<T>>;
  /** Up to 20 GETs in one `$batch` call; each item retried on its own when throttled. Results in request order. */
  batch<T>(paths: string[], options?: GraphRequestOptions): Promise<Array<GraphBatchResult<T>>>;
  /** HTTP requests sent so far by this reader, retries included. */
  readonly requestCount: number;
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

/** The tenant's app token could not be had: no consent, consent revoked, bad credentials. */
export class GraphAuthenticationError extends GraphError {
  constructor(
    readonly entraError: string,
    message: string,
  ) {
    super(401, entraError, message);
    this.name = 'GraphAuthenticationError';
  }
}
