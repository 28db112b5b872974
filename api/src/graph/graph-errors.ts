import { z } from 'zod';
import { DeltaTokenExpiredError, GraphError } from './graph-reader';

/** Graph's error body: `{"error":{"code","message","innerError":{"request-id"}}}`. */
const graphErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().optional().default(''),
    innerError: z.object({ 'request-id': z.string().optional() }).loose().optional(),
  }),
});

/** What is known about an answer that was not a success, when it becomes an error. */
export interface FailedAnswer {
  status: number;
  /** The parsed JSON body, or the text when it was not JSON. */
  body: unknown;
  /** `request-id` header, when the body has none. */
  requestIdHeader?: string | null;
  /** What was asked, e.g. `GET /v1.0/users`: no query string (skip tokens are long and opaque). */
  request: string;
  tenantId: string;
  /** Set when retries ran out on this answer. */
  exhausted?: { attempts: number; elapsedMs: number };
}

const deltaExpiredCodes = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);

/** The GraphError a non-success answer stands for, with a message that says what to do. */
export function graphErrorFrom(answer: FailedAnswer): GraphError {
  const parsed = graphErrorBody.safeParse(answer.body);
  const code = parsed.success ? parsed.data.error.code : `HttpStatus${answer.status}`;
  const graphMessage = parsed.success ? parsed.data.error.message : bodyExcerpt(answer.body);
  const requestId = (parsed.success ? parsed.data.error.innerError?.['request-id'] : undefined) ?? answer.requestIdHeader ?? undefined;
  const said = graphMessage ? `${code}: ${graphMessage}` : code;
  const tenant = answer.tenantId;

  if (answer.status === 410 || deltaExpiredCodes.has(code.toLowerCase())) {
    return new DeltaTokenExpiredError(`Graph no longer accepts this delta link (${answer.status} ${said}): start over with a full sync.`, requestId);
  }
  if (answer.status === 403) {
    return new GraphError(
      403,
      code,
      `The Users Sync app lacks permission for ${answer.request} in tenant ${tenant} (${said}). ` +
        'Admin consent was not granted for all its permissions, or was revoked: ask a Global Administrator to connect Microsoft 365 again to grant consent.',
      requestId,
    );
  }
  if (answer.status === 401) {
    return new GraphError(
      401,
      code,
      `Graph refused the app's token for tenant ${tenant} even after getting a new one (${said}). ` +
        'The app may have been removed from the tenant or its consent revoked: ask a Global Administrator to connect Microsoft 365 again.',
      requestId,
    );
  }
  if (answer.exhausted) {
    const seconds = Math.round(answer.exhausted.elapsedMs / 100) / 10;
    const what = answer.status === 429 ? 'kept throttling' : 'kept failing on';
    return new GraphError(
      answer.status,
      code,
      `Graph ${what} ${answer.request} in tenant ${tenant}: gave up after ${answer.exhausted.attempts} attempts in ${seconds} s (${answer.status} ${said}). Nothing was lost; run the sync again later.`,
      requestId,
    );
  }
  return new GraphError(answer.status, code, `Graph answered ${answer.status} to ${answer.request} in tenant ${tenant} (${said}).`, requestId);
}

function bodyExcerpt(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A payload that is not what Graph documents (or not what the caller's schema says). */
export function unexpectedResponse(request: string, problem: string): GraphError {
  // A sentence of its own: callers append what the failure did ("Nobody was deactivated.").
  return new GraphError(200, 'UnexpectedGraphResponse', `Microsoft Graph's answer to ${request} could not be read (${problem}); try again later.`);
}

/** `METHOD /path` of a URL, for messages: no query string. */
export function describeRequest(method: string, url: string): string {
  try {
    return `${method} ${new URL(url).pathname}`;
  } catch {
    return `${method} ${url.split('?')[0]}`;
  }
}
