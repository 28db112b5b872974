import { problemSchema, routes, type RouteDefinition, type RouteId } from '@users-sync/api/contract';
import type { z } from 'zod';

type Route<Id extends RouteId> = (typeof routes)[Id];
/** What the tab sends: the schema's input (defaults may be left out). */
export type QueryOf<Id extends RouteId> = Route<Id> extends { query: z.ZodType } ? z.input<Route<Id>['query']> : never;
export type BodyOf<Id extends RouteId> = Route<Id> extends { body: z.ZodType } ? z.input<Route<Id>['body']> : never;
/** What the tab reads: the schema's output, validated. */
export type AnswerOf<Id extends RouteId> = Route<Id> extends { response: { kind: 'json'; schema: z.ZodType } } ? z.output<Route<Id>['response']['schema']> : undefined;

export interface CallOptions<Id extends RouteId> {
  params?: Record<string, string>;
  query?: QueryOf<Id>;
  body?: BodyOf<Id>;
  signal?: AbortSignal;
  /** Sees the answer's headers (e.g. `x-sync-already-running`). */
  onHeaders?: (headers: Headers) => void;
}

/**
 * An error the api answered (problem+json with a stable code), or one the tab met on the
 * way (network down, an answer it could not read). Screens show `detail` and `code`,
 * never a stack trace.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}

/** Gives a bearer token for the api; asked again on each call so it is always fresh. */
export type TokenSource = () => Promise<string>;

export function pathOf(route: RouteDefinition, params: Record<string, string> = {}): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Route ${route.path} needs the parameter ${name}.`);
    return encodeURIComponent(value);
  });
}

function queryString(query: object | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Reads a failed answer as the api's problem, or describes what came instead. */
export async function problemFrom(response: Response): Promise<ApiProblem> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = problemSchema.safeParse(JSON.parse(text));
    if (parsed.success) return new ApiProblem(parsed.data.status, parsed.data.code, parsed.data.detail, parsed.data.fields);
  } catch {
    // Not JSON: a proxy's or the browser's page; described below.
  }
  return new ApiProblem(response.status, 'UNEXPECTED_ANSWER', `The Users Sync service answered ${response.status} ${response.statusText}. Try again in a moment.`);
}

export const unreachable = () =>
  new ApiProblem(0, 'API_UNREACHABLE', 'The Users Sync service cannot be reached. Check your connection, then try again.');

export interface ApiClient {
  call<Id extends RouteId>(id: Id, options?: CallOptions<Id>): Promise<AnswerOf<Id>>;
  /** An authenticated raw request (event streams, CSV downloads). */
  fetchRaw(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Calls the api's routes by their contract id: the path, method and schemas all come
 * from `api/src/contract`, so the tab and the api cannot drift apart.
 */
export function createApiClient(token: TokenSource | undefined, baseUrl = '', scheme: 'Bearer' | 'Onboarding' = 'Bearer'): ApiClient {
  const fetchRaw = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    // `Onboarding`: the limited console's session, from an onboarding link.
    if (token) headers.set('authorization', `${scheme} ${await token()}`);
    try {
      return await fetch(`${baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw unreachable();
    }
  };

  return {
    fetchRaw,
    async call<Id extends RouteId>(id: Id, options: CallOptions<Id> = {}): Promise<AnswerOf<Id>> {
      const route = routes[id] as RouteDefinition;
      const headers: Record<string, string> = { accept: 'application/json' };
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      const response = await fetchRaw(`${pathOf(route, options.params)}${queryString(options.query as object | undefined)}`, {
        method: route.method.toUpperCase(),
        headers,
        body,
        signal: options.signal,
      });
      if (!response.ok) throw await problemFrom(response);
      options.onHeaders?.(response.headers);
      if (route.response.kind !== 'json') return undefined as AnswerOf<Id>;
      const parsed = route.response.schema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new ApiProblem(response.status, 'UNREADABLE_ANSWER', 'The Users Sync service answered something this page cannot read. Reload the page; if it persists, the tab and the service are different versions.');
      return parsed.data as AnswerOf<Id>;
    },
  };
}
