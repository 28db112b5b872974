import { randomUUID } from 'node:crypto';
import restify, { type Request, type Response, type Server } from 'restify';
import pino from 'pino';
import type { Logger } from './logger';
import { healthReport } from './health';

export interface HttpServerSettings {
  service: string;
  version: string;
  logger: Logger;
  /**
   * True: `Expect: 100-continue` is not answered at once; the route says "continue" once it
   * has authenticated the request and wants its body (the api).
   */
  continueAfterAuthentication?: boolean;
  /** Headers on every answer, the server's own refusals included (the api's security headers). */
  headers?: Record<string, string>;
}

/** A port someone else already holds: names the variable that moves ours. */
export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';
  constructor(
    readonly port: number,
    readonly variable: string,
  ) {
    super(`Port ${port} is already in use. Stop what is using it, or set ${variable} to another port.`);
    this.name = 'PortInUseError';
  }
}

const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A restify server with what every Users Sync HTTP process needs: a request id on every
 * log line (taken from `x-request-id` when a caller sends a sane one), one log line per
 * request, `X-Content-Type-Options: nosniff` on every answer, and `GET /healthz`.
 */
export function createHttpServer(settings: HttpServerSettings): Server {
  const server = restify.createServer({
    name: settings.service,
    // restify logs through pino already; hand it ours so its lines share our format.
    log: settings.logger as unknown as restify.ServerOptions['log'],
    handleUncaughtExceptions: false,
    noWriteContinue: settings.continueAfterAuthentication ?? false,
    // Errors are RFC 9457 problems; restify needs to know how to write that type.
    formatters: { 'application/problem+json': (_req: Request, _res: Response, body: unknown) => JSON.stringify(body) },
  });

  server.pre((req: Request, res: Response, next: restify.Next) => {
    const offered = req.headers[REQUEST_ID_HEADER];
    const id = typeof offered === 'string' && /^[\w.-]{1,128}$/.test(offered) ? offered : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, id);
    // Every answer, whatever its type: browsers never guess a type we did not name.
    res.setHeader('x-content-type-options', 'nosniff');
    for (const [name, value] of Object.entries(settings.headers ?? {})) res.setHeader(name, value);
    requests.set(req, { id, log: settings.logger.child({ requestId: id }), startedAt: process.hrtime.bigint() });
    next();
  });

  // Compressed bodies are refused before anything reads them: restify would inflate them
  // without a bound, before authentication (a small gzip body can fill the memory).
  server.pre((req: Request, res: Response, next: restify.Next) => {
    const encoding = req.headers['content-encoding'];
    if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') return next();
    res.writeHead(415, { 'content-type': 'application/problem+json', 'accept-encoding': 'identity' });
    res.end(
      JSON.stringify({
        type: 'about:blank',
        title: 'Unsupported Media Type',
        status: 415,
        code: 'CONTENT_ENCODING_UNSUPPORTED',
        detail: `Request bodies must not be compressed (got Content-Encoding: ${encoding}). Send the body as is.`,
        requestId: requests.get(req)?.id,
      }),
    );
    return next(false);
  });

  server.on('after', (req: Request, res: Response) => {
    const started = requests.get(req)?.startedAt;
    const durationMs = started ? Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100 : undefined;
    const line = { method: req.method, url: loggableUrl(req.url ?? ''), status: res.statusCode, durationMs };
    const log = requestLogger(req);
    if (res.statusCode >= 500) log.error(line, 'request failed');
    else if (req.url === '/healthz') log.debug(line, 'request');
    else log.info(line, 'request');
  });

  server.get('/healthz', (_req: Request, res: Response, next: restify.Next) => {
    res.send(200, healthReport(settings.service, settings.version));
    next();
  });

  return server;
}

/** Query parameters that carry proofs (consent state, codes, tokens): their values never reach a log. */
const sensitiveParameters = new Set(['state', 'code', 'token', 'access_token', 'id_token', 'client_secret', 'validationtoken', 'cursor']);

export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at === -1) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  for (const key of [...params.keys()]) if (sensitiveParameters.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${url.slice(0, at)}?${params.toString()}`;
}

interface RequestContext {
  id: string;
  log: Logger;
  startedAt: bigint;
}

// Kept beside the request rather than on it: restify's typings predate pino.
const requests = new WeakMap<Request, RequestContext>();
let fallbackLogger: Logger | undefined;

/** The logger bound to one request: every line it writes carries the request id. */
export function requestLogger(req: Request): Logger {
  const context = requests.get(req);
  if (context) return context.log;
  fallbackLogger ??= pino({ level: 'info' });
  return fallbackLogger;
}

/** The id of one request, as echoed in the `x-request-id` response header. */
export function requestId(req: Request): string | undefined {
  return requests.get(req)?.id;
}

/** Listens, turning "address in use" into an error that says which variable to change. */
export function listen(server: Server, port: number, host: string, portVariable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, portVariable) : error);
    };
    // restify re-emits the socket's errors on itself, and throws when nobody listens there.
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Closes the server, letting requests in flight finish. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
