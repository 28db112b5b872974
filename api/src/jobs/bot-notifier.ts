import { NOTIFY_SECRET_HEADER, type BotNotification } from '../contract';
import type { Logger } from '../service';

export interface BotNotifierSettings {
  botUrl: string;
  notifySecret: string | undefined;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * Tells the bot a run ended or is held for approval. The bot being down must never fail
 * a sync, so delivery problems are logged and swallowed, after one retry.
 */
export function createBotNotifier(settings: BotNotifierSettings) {
  return async function notify(notification: BotNotification): Promise<boolean> {
    if (!settings.notifySecret) {
      settings.logger.debug({ kind: notification.kind }, 'no NOTIFY_SECRET: the bot is not told about runs');
      return false;
    }
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      try {
        const res = await fetch(`${settings.botUrl}/api/notify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [NOTIFY_SECRET_HEADER]: settings.notifySecret },
          body: JSON.stringify(notification),
          signal: AbortSignal.timeout(settings.timeoutMs ?? 5000),
        });
        if (res.ok) return true;
        settings.logger.warn({ status: res.status, kind: notification.kind, attempt }, 'the bot refused a notification');
        if (res.status < 500) return false;
      } catch (error) {
        settings.logger.warn({ err: error, kind: notification.kind, attempt }, 'the bot could not be reached');
      }
    }
    return false;
  };
}

export type BotNotifier = ReturnType<typeof createBotNotifier>;
