import type { Request, Response, Server } from 'restify';
import { changeNotificationBatchSchema, type ChangeNotifications } from '../../jobs/change-notifications';
import { requestLogger } from '../../service';
import { serveRoute, type Authenticate } from '../typed-routes';

/**
 * Graph's side of change notifications. Graph first checks the URL with a
 * `validationToken` to echo within 10 seconds; then it posts notifications and wants a 2xx
 * within 3 seconds, so the answer goes out before any sync work.
 */
export function serveGraphNotifications(server: Server, authenticate: Authenticate, notifications: ChangeNotifications): void {
  const webhook = (handle: (body: unknown, req: Request) => Promise<unknown>) => async ({ req, res }: { req: Request; res: Response }) => {
    const token = (req.query as Record<string, unknown> | undefined)?.validationToken;
    if (typeof token === 'string') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(token);
      return;
    }
    res.writeHead(202);
    res.end();
    handle(req.body, req).catch((error: unknown) => requestLogger(req).warn({ err: error }, 'a change notification could not be handled'));
  };

  serveRoute(
    server,
    'graphNotifications',
    authenticate,
    webhook(async (body, req) => {
      const batch = changeNotificationBatchSchema.safeParse(body);
      if (!batch.success) return requestLogger(req).warn('a change notification that is not Graph-shaped was ignored');
      await notifications.receive(batch.data);
    }),
  );
  serveRoute(
    server,
    'graphLifecycle',
    authenticate,
    webhook(async (body) => {
      const batch = changeNotificationBatchSchema.safeParse(body);
      if (batch.success) await notifications.receiveLifecycle(batch.data);
    }),
  );
}
