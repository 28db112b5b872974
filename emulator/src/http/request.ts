import type { IncomingMessage } from 'node:http';

/** One request as the emulator's handlers see it: already read, with a parsed URL. */
export interface EmulatorRequest {
  method: string;
  url: URL;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  /** The `https://host:port` base clients used to reach us (nextLinks and issuers are built from it). */
  base: string;
  requestId: string;
  clientRequestId?: string;
  /** Set by the router from the matched pattern. */
  params: Record<string, string>;
}

const MAX_BODY = 5 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function bodyText(request: EmulatorRequest): string {
  return request.body.toString('utf8');
}

/** Parses a JSON body; `undefined` when it is not JSON (the caller answers 400). */
export function bodyJson(request: EmulatorRequest): unknown {
  if (request.body.length === 0) return {};
  try {
    return JSON.parse(bodyText(request)) as unknown;
  } catch {
    return undefined;
  }
}

export function bodyForm(request: EmulatorRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(bodyText(request)));
}

/** Query options as Graph reads them: case-insensitive names, `$` optional for OData options. */
export function queryOption(url: URL, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of url.searchParams) {
    const k = key.toLowerCase();
    if (k === wanted || (wanted.startsWith('$') && k === wanted.slice(1))) return value;
  }
  return undefined;
}
