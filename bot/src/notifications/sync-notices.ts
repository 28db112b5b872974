import type { BotNotification, SyncRun } from '@users-sync/api/contract';
import type { Logger } from '@users-sync/api/service';
import type { SyncReport, UsersSyncApi } from '../api-client/users-sync-api';
import { approvalCard, failureCard, runCard } from '../cards/cards';
import type { AdaptiveCardJson, Messenger } from '../chat/chat';

/**
 * Runs the admins hear about: every run someone started, and a scheduled or
 * notification-driven run only when it changed someone or failed (an hourly "nothing
 * changed" would teach admins to ignore the bot).
 */
export function worthReporting(run: SyncRun): boolean {
  if (run.dryRun) return false;
  if (run.status === 'failed' || run.status === 'awaiting_approval') return true;
  if (run.trigger === 'manual' || run.trigger === 'scope_change' || run.trigger === 'cli') return true;
  const c = run.counts;
  return c.created + c.updated + c.deactivated + c.reactivated + c.skipped > 0;
}

const teamsUserIdOf = (reference: Record<string, unknown>): string | undefined => {
  const user = reference.user as { id?: unknown } | undefined;
  return typeof user?.id === 'string' ? user.id : undefined;
};

/** Sends the api's news about runs to the organization's admins who installed the bot. */
export function createSyncNotices(settings: { api: UsersSyncApi; messenger: Messenger; tabUrl: string; logger: Logger }) {
  const { api, messenger, tabUrl, logger } = settings;
  return async function deliver(notification: BotNotification): Promise<{ delivered: number; failed: number }> {
    if (notification.kind === 'sync_finished' && !worthReporting(notification.run)) return { delivered: 0, failed: 0 };
    const recipients = await api.adminConversations(notification.organizationId);
    let report: SyncReport | undefined;
    // The report is read as one of the admins: the api shows it to admins only.
    const first = recipients[0];
    if (first && (notification.kind === 'approval_needed' || notification.run.counts.skipped > 0)) {
      report = await api
        .forPerson({ tenantId: first.tenantId, aadObjectId: first.targetId })
        .report(notification.run.id)
        .catch(() => undefined);
    }
    let delivered = 0;
    let failed = 0;
    for (const recipient of recipients) {
      let card: AdaptiveCardJson;
      if (notification.kind === 'approval_needed') {
        const teamsUserId = teamsUserIdOf(recipient.reference);
        card = approvalCard({
          run: notification.run,
          wouldDeactivate: notification.wouldDeactivate,
          activeEmployees: notification.activeEmployees,
          ...(report ? { report } : {}),
          refreshUserIds: teamsUserId ? [teamsUserId] : [],
          tabUrl,
        });
      } else if (notification.run.status === 'failed') {
        card = failureCard(notification.run, tabUrl);
      } else {
        card = runCard({ run: notification.run, tabUrl, heading: 'Sync report', ...(report ? { report } : {}) });
      }
      try {
        await messenger.send(recipient.reference, { card });
        delivered += 1;
      } catch (error) {
        // One admin who removed the app must not keep the others from hearing.
        failed += 1;
        logger.warn({ err: error, targetId: recipient.targetId, kind: notification.kind }, 'could not send a sync notice');
      }
    }
    return { delivered, failed };
  };
}
