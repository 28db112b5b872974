import { FluentProvider, teamsLightTheme } from '@fluentui/react-components';
import { render } from '@testing-library/react';
import { routes, type Me, type RouteDefinition, type RouteId, type SyncRun } from '@users-sync/api/contract';
import type { ReactElement } from 'react';
import { createApiClient } from '@users-sync/tabs/api/api-client';
import { TabContext } from '@users-sync/tabs/api/api-context';

/** One recorded call the tab made. */
export interface RecordedCall {
  id: RouteId;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  authorization: string | null;
}

type Answer = { status?: number; body?: unknown; headers?: Record<string, string>; stream?: string[] };
type Handler = (call: RecordedCall) => Answer | Promise<Answer>;

function matcher(route: RouteDefinition): RegExp {
  return new RegExp(`^${route.path.replace(/:([A-Za-z]+)/g, '(?<$1>[^/]+)')}$`);
}

/**
 * The api as the tab sees it, at the fetch boundary: each route of the contract answers
 * what the test says, and JSON answers are checked against the contract's schema first,
 * so a fixture the real api could not send fails the test instead of passing it.
 */
export class FakeApi {
  readonly calls: RecordedCall[] = [];
  private readonly handlers = new Map<RouteId, Handler>();

  on(id: RouteId, handler: Handler | Answer): this {
    this.handlers.set(id, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  callsTo(id: RouteId): RecordedCall[] {
    return this.calls.filter((call) => call.id === id);
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), 'http://tab.test');
    const method = (init.method ?? 'GET').toLowerCase();
    for (const [id, route] of Object.entries(routes) as Array<[RouteId, RouteDefinition]>) {
      if (route.method !== method) continue;
      const match = matcher(route).exec(url.pathname);
      if (!match) continue;
      const call: RecordedCall = {
        id,
        method,
        path: url.pathname,
        params: { ...match.groups },
        query: url.searchParams,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
        authorization: new Headers(init.headers).get('authorization'),
      };
      this.calls.push(call);
      const handler = this.handlers.get(id);
      if (!handler) throw new Error(`The test gave no answer for ${id} (${method.toUpperCase()} ${url.pathname}).`);
      const answer = await handler(call);
      const status = answer.status ?? (route.response.kind === 'json' ? route.response.status : 200);
      if (answer.stream) {
        const encoder = new TextEncoder();
        const chunks = answer.stream;
        return new Response(new ReadableStream({ start(controller) { for (const chunk of chunks) controller.enqueue(encoder.encode(chunk)); controller.close(); } }), { status, headers: { 'content-type': 'text/event-stream' } });
      }
      if (status < 400 && route.response.kind === 'json') route.response.schema.parse(answer.body);
      const contentType = status >= 400 ? 'application/problem+json' : 'application/json';
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status, headers: { 'content-type': contentType, ...answer.headers } });
    }
    throw new Error(`No route of the contract serves ${method.toUpperCase()} ${url.pathname}.`);
  };
}

export const problem = (status: number, code: string, detail: string, fields?: Record<string, string>): Answer => ({
  status,
  body: { type: 'about:blank', title: 'Problem', status, code, detail, ...(fields ? { fields } : {}) },
});

export const sseOf = (...events: Array<{ type: 'progress' | 'finished'; run: SyncRun }>): string[] =>
  events.map((event, index) => `id: ${index + 1}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);

export const me = (overrides: Partial<Me['user']> = {}): Me => ({
  user: { id: 'oid-1', name: 'Ada Admin', email: 'ada@contoso.com', role: 'owner', ...overrides },
  organization: { id: 'org-1', name: 'Contoso', tenantId: 'tenant-1', providerDetection: { provider: 'microsoft', domain: 'contoso.com', evidence: 'MX contoso-com.mail.protection.outlook.com', detectedAt: '2026-12-01T10:00:00.000Z' } },
});

export function run(overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id: 'run-1',
    trigger: 'manual',
    mode: 'full',
    dryRun: false,
    status: 'succeeded',
    progress: { phase: 'done', usersRead: 90, pages: 1, graphRequests: 4 },
    counts: { created: 88, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 2 },
    error: null,
    queuedAt: '2026-12-02T09:00:00.000Z',
    startedAt: '2026-12-02T09:00:01.000Z',
    finishedAt: '2026-12-02T09:00:05.000Z',
    durationMs: 4000,
    unsavedSettings: false,
    ...overrides,
  };
}

/** Renders a screen as the signed-in tab shows it, against the fake api. */
export function renderWithApi(ui: ReactElement, api: FakeApi, options: { me?: Me; host?: 'teams' | 'browser' } = {}) {
  globalThis.fetch = api.fetch as typeof fetch;
  const client = createApiClient(async () => 'test-token');
  return render(
    <FluentProvider theme={teamsLightTheme}>
      <TabContext.Provider value={{ api: client, me: options.me ?? me(), host: options.host ?? 'browser', runsVersion: 0, runsChanged: () => undefined }}>{ui}</TabContext.Provider>
    </FluentProvider>,
  );
}
