import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureDevCertificate } from '@users-sync/emulator/tls/dev-certificate';
import { createGraphReader, type GraphClock, type GraphReaderOptions } from '@users-sync/api/graph';
import { testCertificateDir } from '../../support/dev-certificate-path';

/** One request the scripted server saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * What a script step answers: a reply; `drop` to close the connection without answering;
 * `cut` to send the headers and half a body, then close; `hold` to never answer.
 */
export type ScriptedReply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'drop'
  | 'cut'
  | { hold: true };

export type Script = (request: SeenRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

/**
 * A tiny HTTPS server (certificate from the development CA the tests trust) whose answers
 * a test scripts request by request: the place to check retries, errors and paging edge
 * cases the emulator would not produce on demand.
 */
export class ScriptedGraph {
  readonly seen: SeenRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private script: Script = () => ({ status: 404, body: { error: { code: 'NotScripted', message: 'no script' } } });
  private readonly held: ServerResponse[] = [];

  private constructor(private readonly server: https.Server) {}

  /** A reader pointed at this server (both authority and Graph), with tokens that need no Entra. */
  reader(extra: Partial<GraphReaderOptions> = {}) {
    return createGraphReader({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'app',
      clientSecret: 'unused',
      authorityHost: this.url,
      graphBaseUrl: this.url,
      tokens: fixedTokens(),
      ...extra,
    });
  }

  static async start(): Promise<ScriptedGraph> {
    const tls = await ensureDevCertificate(testCertificateDir);
    const server = https.createServer({ cert: tls.cert, key: tls.key });
    const scripted = new ScriptedGraph(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void scripted.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return scripted;
  }

  get url(): string {
    return `https://localhost:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests other than token requests. */
  get graphRequests(): SeenRequest[] {
    return this.seen.filter((r) => !r.url.includes('/oauth2/'));
  }

  get tokenRequests(): SeenRequest[] {
    return this.seen.filter((r) => r.url.includes('/oauth2/v2.0/token'));
  }

  answer(script: Script): void {
    this.script = script;
    this.seen.length = 0;
    this.maxInFlight = 0;
  }

  /** Answers the given replies in order, then repeats the last one. */
  answerInTurn(...replies: ScriptedReply[]): void {
    this.answer((_r, index) => replies[Math.min(index, replies.length - 1)]!);
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    const index = this.seen.filter((r) => r.url.includes('/oauth2/') === request.url.includes('/oauth2/')).length;
    this.seen.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => {
      this.inFlight -= 1;
    });
    const reply = await this.script(request, index);
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
    if (reply === 'cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"value":[{"id":"1"},');
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    if ('hold' in reply) {
      this.held.push(res);
      return;
    }
    const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  }
}

/** Graph's error body. */
export function graphError(code: string, message: string, requestId = 'req-1'): unknown {
  return { error: { code, message, innerError: { 'request-id': requestId, date: '2026-01-01T00:00:00' } } };
}

/** A clock whose sleeps return at once and are recorded; time moves by what was slept. */
export function recordingClock(): GraphClock & { sleeps: number[] } {
  let offset = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now() + offset,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      offset += ms;
    },
  };
}

/** A token source that never calls Entra, counting what it was asked. */
export function fixedTokens(): { appToken(options?: { fresh?: boolean }): Promise<string>; asked: number; fresh: number } {
  const source = {
    asked: 0,
    fresh: 0,
    appToken: async (options?: { fresh?: boolean }) => {
      source.asked += 1;
      if (options?.fresh) source.fresh += 1;
      return `token-${source.fresh}`;
    },
  };
  return source;
}
