import restify, { type Next, type Request, type RequestHandler, type Response, type Server } from 'restify';
import { type z } from 'zod';
import { routes, type ConsoleRouteId, type RouteDefinition, type RouteId } from '../contract';
import { requestLogger } from '../service';
import { ApiProblem, sendProblem } from './problem';
import type { BotServicePrincipal, ConsolePrincipal, MemberPrincipal, Principal } from './auth/principal';

type Route<Id extends RouteId> = (typeof routes)[Id];
type QueryOf<R> = R extends { query: z.ZodType } ? z.output<R['query']> : Record<string, never>;
type BodyOf<R> = R extends { body: z.ZodType } ? z.output<R['body']> : undefined;
/**
 * Members everywhere but public and bot routes; the bot as a service on its own routes; an
 * onboarding console only where `consoleAccess` lets it in; only a console on its own routes.
 */
type PrincipalOf<Id extends RouteId> = Route<Id> extends { access: 'public' }
  ? undefined
  : Route<Id> extends { access: 'bot' }
    ? BotServicePrincipal
    : Route<Id> extends { access: 'console' }
      ? ConsolePrincipal
      : Id extends ConsoleRouteId
        ? Principal
        : MemberPrincipal;
type ResultOf<R> = R extends { response: { kind: 'json'; schema: z.ZodType } } ? z.input<R['response']['schema']> : void;

export interface RouteContext<Id extends RouteId> {
  req: Request;
  res: Response;
  params: Record<string, string>;
  query: QueryOf<Route<Id>>;
  body: BodyOf<Route<Id>>;
  principal: PrincipalOf<Id>;
}

/**
 * What a handler returns: for JSON routes, the body (validated against the contract on
 * the way out, so the api never answers what the tab cannot read); other kinds write to
 * `res` themselves and return nothing.
 */
export type RouteHandler<Id extends RouteId> = (context: RouteContext<Id>) => Promise<ResultOf<Route<Id>>>;

/** Who calls a route, decided by the route's declared access (`botForPerson`, and `consoleAccess` for onboarding consoles). */
export type Authenticate = (req: Request, route: RouteId) => Promise<Principal | BotServicePrincipal>;

/** Turns zod issues into per-field messages a form can show next to each field. */
export function fieldProblems(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '(body)';
    fields[key] ??= issue.message;
  }
  return fields;
}

/** The largest JSON body a route reads (uploads have their own limit in the contract). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Whether a route reads a JSON body: those whose contract names one, and Graph's webhooks
 * (their notifications are parsed by the route itself, so a malformed one is ignored, not refused).
 */
const readsJsonBody = (route: RouteDefinition) => route.body !== undefined || route.response.kind === 'graph-webhook';

const jsonBodyReader = restify.plugins.bodyParser({ mapParams: false, maxBodySize: BODY_LIMIT_BYTES, rejectUnknown: false });

/**
 * A client that asked `Expect: 100-continue` hears "continue" only once its request has
 * passed authentication (the server is created with `noWriteContinue`).
 */
export function acceptBody(req: Request, res: Response): void {
  if (String(req.headers.expect ?? '').toLowerCase() === '100-continue') res.writeContinue();
}

const principals = new WeakMap<Request, Principal | BotServicePrincipal>();

/**
 * Serves one route of the contract: authentication by the route's declared access first,
 * before a byte of the body is read (a refused request never makes us read or parse it),
 * then query and body parsed with its zod schemas, errors as problem+json. Every answer
 * is `Cache-Control: no-store`: most carry personal data, and none is worth a stale copy.
 */
export function serveRoute<Id extends RouteId>(server: Server, id: Id, authenticate: Authenticate, handler: RouteHandler<Id>): void {
  const route = routes[id] as RouteDefinition;
  const authenticated: RequestHandler = (req: Request, res: Response, next: Next) => {
    res.setHeader('cache-control', 'no-store');
    if (route.access === 'public') return next();
    authenticate(req, id).then(
      (principal) => {
        principals.set(req, principal);
        next();
      },
      (error: unknown) => {
        // The body was never read: close the connection rather than let Node drain it.
        if (hasUnreadBody(req)) res.setHeader('connection', 'close');
        answerError(req, res, error);
        next(false);
      },
    );
  };
  const bodyRead: RequestHandler[] = readsJsonBody(route)
    ? [
        (req: Request, res: Response, next: Next) => {
          acceptBody(req, res);
          next();
        },
        ...jsonBodyReader,
      ]
    : [];
  const answer = async (req: Request, res: Response) => {
    try {
      const principal = principals.get(req);
      const query = route.query ? parseOr422(route.query, req.query ?? {}, 'query') : {};
      const body = route.body ? parseOr422(route.body, req.body ?? {}, 'body') : undefined;
      const result = await handler({
        req,
        res,
        params: (req.params ?? {}) as Record<string, string>,
        query,
        body,
        principal,
      } as RouteContext<Id>);
      if (route.response.kind === 'json') {
        const output = route.response.schema.parse(result);
        res.writeHead(route.response.status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(output));
      } else if (route.response.kind === 'empty' && !res.headersSent) {
        res.writeHead(204);
        res.end();
      }
    } catch (error) {
      answerError(req, res, error);
    }
  };
  server[route.method === 'delete' ? 'del' : route.method](route.path, authenticated, ...bodyRead, answer);
}

function hasUnreadBody(req: Request): boolean {
  const declared = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  return declared && !req.readableEnded;
}

function answerError(req: Request, res: Response, error: unknown): void {
  if (res.headersSent) {
    requestLogger(req).error({ err: error }, 'error after the answer had started');
    res.end();
    return;
  }
  if (error instanceof ApiProblem) return sendProblem(req, res, error);
  requestLogger(req).error({ err: error }, 'unexpected error');
  sendProblem(req, res, new ApiProblem(500, 'INTERNAL_ERROR', 'Something went wrong on our side. Try again; if it keeps failing, contact support with the request id.'));
}

function parseOr422<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'body'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = fieldProblems(parsed.error);
  const summary = Object.entries(fields)
    .map(([field, message]) => `${field}: ${message}`)
    .join('; ');
  throw new ApiProblem(where === 'body' ? 422 : 400, where === 'body' ? 'VALIDATION_FAILED' : 'INVALID_QUERY', `Some values are not valid. ${summary}`, fields);
}
