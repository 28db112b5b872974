import { queryOption, type EmulatorRequest } from '../http/request';
import { graphError, type Reply } from '../http/reply';
import { FilterSyntaxError, isAdvanced, parseFilter, properties, type FilterNode } from './odata-filter';

/** A query that Graph refuses, already shaped as its 400 answer. */
export class QueryRejected extends Error {
  constructor(readonly reply: Reply) {
    super('query rejected');
  }
}

export function reject(request: EmulatorRequest, status: number, code: string, message: string): never {
  throw new QueryRejected(graphError(status, code, message, request));
}

/** `ConsistencyLevel: eventual` (Graph's advanced queries). */
export function isEventual(request: EmulatorRequest): boolean {
  return (request.headers.consistencylevel ?? '').toLowerCase() === 'eventual';
}

export function wantsCount(request: EmulatorRequest): boolean {
  return (queryOption(request.url, '$count') ?? '').toLowerCase() === 'true';
}

/** `$top`: 1..999, default 100. */
export function pageSize(request: EmulatorRequest, fallback = 100): number {
  const raw = queryOption(request.url, '$top');
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 999)
    reject(request, 400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`);
  return n;
}

/** `$select`, checked against the entity's properties (Graph answers 400 for unknown names). */
export function selection(request: EmulatorRequest, entity: string, known: ReadonlySet<string>, raw = queryOption(request.url, '$select')): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const resolved: string[] = [];
  for (const name of names) {
    const match = [...known].find((k) => k.toLowerCase() === name.toLowerCase());
    if (!match) reject(request, 400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.${entity}'.`);
    if (!resolved.includes(match)) resolved.push(match);
  }
  return resolved;
}

export function rejectUnsupportedOptions(request: EmulatorRequest, extra: string[] = []): void {
  if (queryOption(request.url, '$skip') !== undefined) reject(request, 400, 'Request_BadRequest', "'$skip' is not supported by the service.");
  for (const option of extra) if (queryOption(request.url, option) !== undefined) reject(request, 400, 'Request_UnsupportedQuery', `The query option '${option}' is not supported on this request.`);
}

/**
 * `$filter`, parsed and checked: only `filterable` properties, and advanced operators only
 * with `ConsistencyLevel: eventual` and `$count=true`.
 */
export function filterOf(request: EmulatorRequest, entity: string, filterable: ReadonlySet<string>, raw = queryOption(request.url, '$filter')): FilterNode | null {
  if (raw === undefined || raw.trim() === '') return null;
  let node: FilterNode;
  try {
    node = parseFilter(raw);
  } catch (error) {
    reject(request, 400, 'BadRequest', `Invalid filter clause: ${error instanceof FilterSyntaxError ? error.message : 'syntax error'}`);
  }
  for (const property of properties(node)) {
    if (![...filterable].some((p) => p.toLowerCase() === property.toLowerCase()))
      reject(request, 400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${property}' of resource '${entity}'.`);
  }
  if (isAdvanced(node) && !(isEventual(request) && wantsCount(request)))
    reject(request, 400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified. This query needs ConsistencyLevel: eventual and $count=true (advanced query).');
  return node;
}

/** Opaque paging and delta tokens (base64url JSON; clients must not look inside). */
export function encodeToken(state: object): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeToken<T>(request: EmulatorRequest, token: string, check: (value: unknown) => value is T, what = '$skiptoken'): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // falls through to the 400
  }
  reject(request, 400, 'Request_BadRequest', `The specified ${what} value '${token.slice(0, 40)}' is invalid.`);
}

/** Paging position within a list: `{ p }`. */
export function skipPosition(request: EmulatorRequest): number {
  const raw = queryOption(request.url, '$skiptoken');
  if (raw === undefined) return 0;
  return decodeToken(request, raw, (v): v is { p: number } => typeof v === 'object' && v !== null && typeof (v as { p?: unknown }).p === 'number').p;
}

/**
 * The nextLink replays the original query as sent (every option, `$` names kept) with
 * the `$skiptoken` of the next page.
 */
export function nextLink(request: EmulatorRequest, skiptoken: string): string {
  const kept = request.url.search
    .replace(/^\?/, '')
    .split('&')
    .filter((part) => part && !/^(%24|\$)?skiptoken=/i.test(part));
  kept.push(`$skiptoken=${skiptoken}`);
  return `${request.base}${request.url.pathname}?${kept.join('&')}`;
}

export function odataContext(request: EmulatorRequest, fragment: string, select: string[] | null): string {
  return `${request.base}/v1.0/$metadata#${fragment}${select ? `(${select.join(',')})` : ''}`;
}
