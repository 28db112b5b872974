import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { EmulatorRequest } from '../http/request';
import { bodyJson } from '../http/request';
import { GRAPH_JSON, graphError, json, newRequestId, type Reply } from '../http/reply';
import { Router } from '../http/router';
import type { SigningKeys } from '../entra/signing-keys';
import type { TenantFaults } from '../faults/tenant-faults';
import { objectsIn, type LatencyModel } from '../cost/latency-model';
import type { TrafficMeter } from '../metering/traffic-meter';
import type { Cloud } from '../tenants/cloud';
import { DirectoryError } from '../tenants/tenant';
import { formatRetryAfter, type GraphThrottle } from '../throttling/graph-throttle';
import { resourceUnits } from '../throttling/resource-units';
import { addDeltaRoutes } from './delta-routes';
import { authenticate, allows, insufficientPrivileges, PERMISSIONS, type GraphPrincipal } from './graph-principal';
import type { GraphRoute } from './graph-route';
import { addGroupRoutes, addUserMembershipRoutes } from './groups-routes';
import { QueryRejected } from './odata-query';
import { addUserRoutes, organizationOf } from './users-routes';

export interface GraphDependencies {
  cloud: Cloud;
  keys: SigningKeys;
  throttle: GraphThrottle;
  faults: TenantFaults;
  meter: TrafficMeter;
  latency: LatencyModel;
}

const batchBody = z.object({
  requests: z
    .array(
      z.object({
        id: z.string().min(1),
        method: z.string().min(1),
        url: z.string().min(1),
        headers: z.record(z.string(), z.string()).optional(),
        body: z.unknown().optional(),
        dependsOn: z.array(z.string()).optional(),
      }),
    )
    .min(1),
});

const MAX_BATCH = 20;

/** The Graph v1.0 surface: authentication, faults, throttling, routing, `$batch`, and the headers Graph puts on every answer. */
export class GraphService {
  readonly router = new Router<GraphRoute>();

  constructor(private readonly deps: GraphDependencies) {
    addDeltaRoutes(this.router);
    addUserRoutes(this.router);
    addGroupRoutes(this.router);
    addUserMembershipRoutes(this.router);
    this.router.get('/v1.0/organization', {
      cost: 'other',
      handle: (request, principal) =>
        allows(principal, PERMISSIONS.readOrganization) ? json(200, organizationOf(request, principal.tenant)) : insufficientPrivileges(request),
    });
  }

  async handle(request: EmulatorRequest, batchId?: string): Promise<Reply> {
    const started = Date.now();
    let principal: GraphPrincipal | undefined;
    let units = 0;
    let route = `${request.method} (unmatched)`;
    let forced: 'throttled' | 'unavailable' | 'dropped' | undefined;
    let reply: Reply;
    try {
      const authenticated = await authenticate(request, this.deps.keys, this.deps.cloud);
      if ('status' in authenticated) {
        reply = authenticated;
      } else {
        principal = authenticated;
        if (request.method === 'POST' && /^\/v1\.0\/\$batch\/?$/i.test(request.url.pathname) && batchId === undefined) {
          route = 'POST /v1.0/$batch';
          reply = await this.batch(request);
        } else {
          const match = this.router.match(request.method, request.url.pathname);
          if (match === undefined) {
            const segment = request.url.pathname.split('/').filter(Boolean).pop() ?? '';
            reply = graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`, request);
          } else if (match === 'method-not-allowed') {
            reply = graphError(405, 'Request_BadRequest', `The HTTP method '${request.method}' is not allowed for this resource.`, request);
          } else {
            route = match.template;
            request.params = match.params;
            const faults = this.deps.faults.of(principal.tenant.id);
            if (faults.latencyMs > 0) await sleep(faults.latencyMs);
            const spike = this.deps.faults.spike(principal.tenant.id);
            if (spike > 0) await sleep(spike);
            const fault = this.deps.faults.decide(principal.tenant.id);
            if (fault.kind === 'drop') {
              forced = 'dropped';
              reply = batchId ? graphError(504, 'GatewayTimeout', 'The gateway did not receive a response in time.', request) : { status: 0, drop: true };
            } else if (fault.kind === 'status') {
              forced = fault.status === 429 ? 'throttled' : 'unavailable';
              reply =
                fault.status === 429
                  ? graphError(429, 'TooManyRequests', 'Please retry again later.', request, { 'retry-after': formatRetryAfter(fault.retryAfterSeconds), 'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${principal.appId}/${principal.tenant.id}`, 'x-ms-throttle-information': 'ResourceUnitLimitExceeded' })
                  : graphError(fault.status, fault.status === 503 ? 'serviceNotAvailable' : 'GatewayTimeout', fault.status === 503 ? 'The service is temporarily unavailable. Please retry later.' : 'The gateway did not receive a response in time.', request, { 'retry-after': formatRetryAfter(fault.retryAfterSeconds) });
            } else {
              units = resourceUnits(match.handler.cost, request);
              const decision = this.deps.throttle.check(principal.appId, principal.tenant.id, principal.tenant.activeUserCount, units);
              if (!decision.ok) {
                reply = graphError(429, 'TooManyRequests', 'Please retry again later.', request, decision.headers);
              } else {
                reply = await match.handler.handle(request, principal);
                reply = { ...reply, headers: { ...decision.headers, ...reply.headers } };
                if (batchId === undefined) reply = this.malformed(principal.tenant.id, reply);
                // The cost model: an answer takes longer the more objects it holds.
                const delay = this.deps.latency.delayFor(objectsIn(reply.json));
                if (delay > 0) await sleep(delay);
              }
            }
          }
        }
      }
    } catch (error) {
      if (error instanceof QueryRejected) reply = error.reply;
      else if (error instanceof DirectoryError) reply = graphError(error.status, error.code, error.message, request);
      else reply = graphError(500, 'InternalServerError', error instanceof Error ? error.message : 'Unexpected error.', request);
    }
    const headers: Record<string, string> = {
      'request-id': request.requestId,
      'client-request-id': request.clientRequestId ?? request.requestId,
      'x-ms-ags-diagnostic': JSON.stringify({ ServerInfo: { DataCenter: 'Emulator', Slice: 'E', Ring: '1', ScaleUnit: '000', RoleInstance: 'EMU0' } }),
      'cache-control': 'no-cache',
      'strict-transport-security': 'max-age=31536000',
      ...(reply.json !== undefined ? { 'content-type': GRAPH_JSON, 'odata-version': '4.0' } : {}),
      'x-ms-resource-unit': String(units || 1),
      ...reply.headers,
    };
    reply = { ...reply, headers };
    this.deps.meter.record(
      {
        at: new Date(started).toISOString(),
        requestId: request.requestId,
        method: request.method,
        path: request.url.pathname + request.url.search,
        route,
        status: reply.drop ? 0 : reply.status,
        tenantId: principal?.tenant.id ?? null,
        appId: principal?.appId ?? null,
        resourceUnits: units,
        durationMs: Date.now() - started,
        ...(batchId ? { batchId } : {}),
      },
      forced,
    );
    return reply;
  }

  /** A successful page spoiled as `malformNext` asks (an item without id, an id of the wrong type, JSON cut short). */
  private malformed(tenantId: string, reply: Reply): Reply {
    const body = reply.json as { value?: unknown } | undefined;
    if (reply.status !== 200 || !body || !Array.isArray(body.value) || body.value.length === 0) return reply;
    const kind = this.deps.faults.malformation(tenantId);
    if (kind === null) return reply;
    if (kind === 'truncated') {
      const text = JSON.stringify(body);
      return { status: 200, headers: { ...reply.headers, 'content-type': GRAPH_JSON }, text: text.slice(0, Math.floor(text.length / 2)) };
    }
    const items = body.value.map((item: unknown) => (typeof item === 'object' && item !== null ? { ...(item as Record<string, unknown>) } : item));
    const spoiled = items[Math.floor(items.length / 2)] as Record<string, unknown>;
    if (kind === 'missing-id') delete spoiled.id;
    else spoiled.id = 12345;
    return { ...reply, json: { ...body, value: items } };
  }

  /** `POST /v1.0/$batch`: up to 20 requests, each authenticated, throttled and answered on its own; `dependsOn` failures are 424. */
  private async batch(request: EmulatorRequest): Promise<Reply> {
    const parsed = batchBody.safeParse(bodyJson(request));
    if (!parsed.success) return graphError(400, 'BadRequest', 'Invalid batch payload format.', request);
    const items = parsed.data.requests;
    if (items.length > MAX_BATCH) return graphError(400, 'BadRequest', `Exceeded the number of requests in a batch: the maximum is ${MAX_BATCH}.`, request);
    // Ids are unique case-insensitively: "a" and "A" are the same request (json-batching).
    const ids = new Set<string>();
    for (const item of items) {
      if (ids.has(item.id.toLowerCase())) return graphError(400, 'BadRequest', `Batch request ids must be unique: '${item.id}' appears twice.`, request);
      ids.add(item.id.toLowerCase());
      if (/^https?:/i.test(item.url)) return graphError(400, 'BadRequest', 'Absolute URLs are not supported in batch requests: use a URL relative to /v1.0.', request);
      for (const dep of item.dependsOn ?? []) if (!items.some((i) => i.id === dep)) return graphError(400, 'BadRequest', `Request '${item.id}' depends on unknown request '${dep}'.`, request);
    }
    const results = new Map<string, Promise<{ id: string; status: number; headers: Record<string, string>; body?: unknown }>>();
    const run = (item: (typeof items)[number]): Promise<{ id: string; status: number; headers: Record<string, string>; body?: unknown }> => {
      const existing = results.get(item.id);
      if (existing) return existing;
      const promise = (async () => {
        const deps = await Promise.all((item.dependsOn ?? []).map((d) => run(items.find((i) => i.id === d)!)));
        const failed = deps.find((d) => d.status >= 400);
        if (failed) {
          return { id: item.id, status: 424, headers: { 'Content-Type': 'application/json' }, body: { error: { code: 'FailedDependency', message: `Request '${item.id}' depends on request '${failed.id}', which failed.`, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': newRequestId() } } } };
        }
        // Relative to /v1.0; Graph also accepts the version repeated (`/v1.0/users`, as the SDK's BatchRequestContent sends).
        const relative = (item.url.startsWith('/') ? item.url : `/${item.url}`).replace(/^\/v1\.0(?=\/|$)/i, '');
        const inner: EmulatorRequest = {
          method: item.method.toUpperCase(),
          url: new URL(`${request.base}/v1.0${relative}`),
          headers: {
            ...Object.fromEntries(Object.entries(item.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
            authorization: request.headers.authorization ?? '',
          },
          body: item.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(item.body)),
          base: request.base,
          requestId: newRequestId(),
          clientRequestId: request.clientRequestId,
          params: {},
        };
        const reply = await this.handle(inner, request.requestId);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(reply.headers ?? {})) headers[canonicalHeader(k)] = v;
        return { id: item.id, status: reply.status, headers, body: reply.json ?? reply.text };
      })();
      results.set(item.id, promise);
      return promise;
    };
    const responses = await Promise.all(items.map(run));
    return json(200, { responses });
  }
}

const CANONICAL: Record<string, string> = { 'retry-after': 'Retry-After', 'content-type': 'Content-Type', location: 'Location', 'cache-control': 'Cache-Control', 'odata-version': 'OData-Version' };

function canonicalHeader(name: string): string {
  return CANONICAL[name] ?? name;
}
