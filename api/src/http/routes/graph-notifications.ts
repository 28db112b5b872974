import type { Request, Response, Server } from 'restify';
import { changeNotificationBatchSchema, type ChangeNotificationBatch, type ChangeNotifications } from '../../jobs/change-notifications';
import { requestLogger } from '../../service';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { NotificationIntake } from '../webhooks/notification-intake';

/**
 * Graph's validation tokens are short opaque strings; we echo one only up to this length,
 * so the public webhook never reflects a large attacker-chosen body.
 */
export const VALIDATION_TOKEN_MAX_LENGTH = 1024;

/**
 * Graph's side of change notifications. Graph first checks the URL with a
 * `validationToken` to echo within 10 seconds; then it posts notifications and wants a 2xx
 * within 3 seconds, so the answer goes out before any sync work. How much is taken in is
 * bounded by `intake` (items per notification, notifications per second).
 */
export function serveGraphNotifications(server: Server, authenticate: Authenticate, notifications: ChangeNotifications, intake: NotificationIntake): void {
  const webhook = (handle: (batch: ChangeNotificationBatch, req: Request) => Promise<unknown>) => async ({ req, res }: { req: Request; res: Response }) => {
    const token = (req.query as Record<string, unknown> | undefined)?.validationToken;
    if (typeof token === 'string') {
      if (token.length > VALIDATION_TOKEN_MAX_LENGTH) {
        throw new ApiProblem(400, 'VALIDATION_TOKEN_TOO_LONG', `A validation token is at most ${VALIDATION_TOKEN_MAX_LENGTH} characters; this one is not echoed. Microsoft Graph's own tokens are shorter.`);
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(token);
      return;
    }
    const batch = changeNotificationBatchSchema.safeParse(req.body);
    // Notifications of subscriptions proven here pass; the rest (forged ones among them) share the limit.
    if (!(batch.success && notifications.vouchedFor(batch.data)) && !intake.take()) {
      throw new ApiProblem(429, 'GRAPH_NOTIFICATIONS_THROTTLED', 'Too many change notifications arrive at once; this one was not read. Microsoft Graph delivers it again later.', undefined, { 'retry-after': '1' });
    }
    res.writeHead(202);
    res.end();
    const log = requestLogger(req);
    if (!batch.success) return log.warn('a change notification that is not Graph-shaped was ignored');
    const items = batch.data.value;
    if (items.length > intake.maxItems) log.warn({ items: items.length, read: intake.maxItems }, 'a change notification carried more items than are read; the rest were dropped');
    handle({ value: items.slice(0, intake.maxItems) }, req).catch((error: unknown) => log.warn({ err: error }, 'a change notification could not be handled'));
  };

  serveRoute(
    server,
    'graphNotifications',
    authenticate,
    webhook((batch) => notifications.receive(batch)),
  );
  serveRoute(
    server,
    'graphLifecycle',
    authenticate,
    webhook((batch) => notifications.receiveLifecycle(batch)),
  );
}
