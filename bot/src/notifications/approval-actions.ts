import { z } from 'zod';
import type { Logger } from '@users-sync/api/service';
import { ApiRefusal, type UsersSyncApi } from '../api-client/users-sync-api';
import { approvalCard, approvalOutcomeCard } from '../cards/cards';
import type { CardAction, CardActionResult } from '../chat/chat';

/** The verbs of the deletion-approval card's `Action.Execute` buttons and its refresh. */
export const approvalVerbs = ['approveRun', 'rejectRun', 'refreshApproval'] as const;

const actionData = z.object({ runId: z.string().min(1).max(128) });

/**
 * Approve / Reject from the deletion-approval card (Universal Actions). The api decides:
 * it checks that the person is an admin of the run's organization, and that the run
 * still waits; the card then shows the outcome to everyone. A refresh (Teams asking
 * when someone views the card) shows the run as it is now.
 */
export function createApprovalActions(settings: { api: UsersSyncApi; tabUrl: string; logger: Logger }) {
  const { api, tabUrl } = settings;
  return async function handle(action: CardAction): Promise<CardActionResult> {
    const data = actionData.safeParse(action.data);
    if (!data.success) return { message: 'This card is missing the sync it is about. Open Users Sync to decide there.' };
    const { runId } = data.data;
    const people = api.forPerson({ tenantId: action.person.tenantId, aadObjectId: action.person.aadObjectId });
    try {
      if (action.verb === 'refreshApproval') {
        const run = await people.run(runId);
        if (run.status !== 'awaiting_approval') return { card: approvalOutcomeCard({ run, alreadyDecided: false, tabUrl }) };
        const [activeEmployees, report] = await Promise.all([people.activeEmployees(), people.report(runId).catch(() => undefined)]);
        return {
          card: approvalCard({ run, wouldDeactivate: run.counts.deactivated, activeEmployees, ...(report ? { report } : {}), refreshUserIds: [action.person.teamsUserId], tabUrl }),
        };
      }
      const run = action.verb === 'approveRun' ? await people.approve(runId) : await people.reject(runId);
      return { card: approvalOutcomeCard({ run, decidedBy: action.person.name, alreadyDecided: false, tabUrl }) };
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      if (error.code === 'RUN_NOT_AWAITING_APPROVAL') {
        // A second click, or another admin was quicker: show what was decided.
        return { card: approvalOutcomeCard({ run: await people.run(runId), alreadyDecided: true, tabUrl }) };
      }
      if (error.code === 'NOT_A_MEMBER' || error.code === 'ORGANIZATION_NOT_SET_UP') {
        const { admins } = await api.tenantAdmins(action.person.tenantId).catch(() => ({ admins: [] }));
        const names = admins.map((a) => a.name).join(', ');
        return { message: `Only Users Sync admins can decide on this sync${names ? `: ask ${names}` : ''}.` };
      }
      settings.logger.warn({ code: error.code, runId }, 'approval action refused by the api');
      return { message: error.detail };
    }
  };
}

export type ApprovalActions = ReturnType<typeof createApprovalActions>;
