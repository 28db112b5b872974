import { timingSafeEqual } from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import {
  botNotificationSchema,
  NOTIFY_SECRET_HEADER,
  onboardingInstructionsSchema,
  type BotNotification,
  type OnboardingInstructions,
  type OnboardingInstructionsDelivery,
} from '@users-sync/api/contract';
import { requestLogger } from '@users-sync/api/service';

export type NotificationHandler = (notification: BotNotification) => Promise<void>;

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function problem(res: Response, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title: code, status, code, detail }));
}

/** Only the api knows the shared secret; without one configured, everything is refused. Answers whether the caller may go on. */
function fromTheApi(req: Request, res: Response, notifySecret: string | undefined): boolean {
  if (!notifySecret) {
    problem(res, 503, 'NOTIFY_NOT_CONFIGURED', 'The bot has no NOTIFY_SECRET: set the same value for the api and the bot.');
    return false;
  }
  if (!sameSecret(req.headers[NOTIFY_SECRET_HEADER], notifySecret)) {
    problem(res, 401, 'NOTIFY_SECRET_INVALID', `The ${NOTIFY_SECRET_HEADER} header does not carry the secret shared with the api.`);
    return false;
  }
  return true;
}

/**
 * `POST /api/notify`: the api tells the bot a sync ended or waits for approval.
 */
export function serveNotifications(server: Server, notifySecret: string | undefined, handle: NotificationHandler): void {
  server.post('/api/notify', async (req: Request, res: Response) => {
    if (!fromTheApi(req, res, notifySecret)) return;
    const parsed = botNotificationSchema.safeParse(req.body);
    if (!parsed.success) {
      return problem(res, 400, 'NOTIFICATION_INVALID', `The notification does not match the contract: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
    }
    try {
      await handle(parsed.data);
      res.writeHead(202);
      res.end();
    } catch (error) {
      requestLogger(req).error({ err: error }, 'notification could not be handled');
      problem(res, 500, 'NOTIFICATION_FAILED', 'The bot could not handle the notification; the api will retry later.');
    }
  });
}

/**
 * `POST /api/onboarding-instructions`: the api asks the bot to send a Microsoft admin the
 * onboarding link's instructions; the answer says whether they reached the person.
 */
export function serveOnboardingInstructions(server: Server, notifySecret: string | undefined, deliver: (instructions: OnboardingInstructions) => Promise<OnboardingInstructionsDelivery>): void {
  server.post('/api/onboarding-instructions', async (req: Request, res: Response) => {
    if (!fromTheApi(req, res, notifySecret)) return;
    const parsed = onboardingInstructionsSchema.safeParse(req.body);
    if (!parsed.success) {
      return problem(res, 400, 'INSTRUCTIONS_INVALID', `The onboarding instructions do not match the contract: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
    }
    try {
      const delivery = await deliver(parsed.data);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(delivery));
    } catch (error) {
      requestLogger(req).error({ err: error }, 'onboarding instructions could not be handled');
      problem(res, 500, 'INSTRUCTIONS_FAILED', 'The bot could not send the onboarding instructions; copy the link and send it yourself.');
    }
  });
}
