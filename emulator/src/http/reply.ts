import { randomUUID } from 'node:crypto';

/** What a handler answers; the server (or `$batch`) turns it into bytes. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A JSON value, a text body, or nothing. */
  json?: unknown;
  text?: string;
  /** Close the socket without answering (a dropped connection fault). */
  drop?: boolean;
}

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, json: body, headers };
}

export function html(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, text: body, headers: { 'content-type': 'text/html; charset=utf-8', ...headers } };
}

export function redirect(location: string): Reply {
  return { status: 302, headers: { location, 'cache-control': 'no-store' } };
}

/** Graph's `date` in innerError has no fraction and no zone, e.g. `2024-03-01T10:00:00`. */
export function graphDate(now = new Date()): string {
  return now.toISOString().slice(0, 19);
}

export interface RequestIds {
  requestId: string;
  clientRequestId?: string;
}

/** Graph's error shape: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`. */
export function graphError(status: number, code: string, message: string, ids: RequestIds, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers,
    json: {
      error: {
        code,
        message,
        innerError: {
          date: graphDate(),
          'request-id': ids.requestId,
          'client-request-id': ids.clientRequestId ?? ids.requestId,
        },
      },
    },
  };
}

export function newRequestId(): string {
  return randomUUID();
}
