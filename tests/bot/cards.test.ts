import {
  approvalCard,
  approvalOutcomeCard,
  failureCard,
  failureFix,
  helpCard,
  historyCard,
  nextScheduledRun,
  noticeCard,
  onboardingInstructionsCard,
  refusalCard,
  runCard,
  statusCard,
  welcomeCard,
} from '@users-sync/bot/cards/cards';
import { markdownText } from '@users-sync/bot/cards/markdown-text';
import { cardActions, cardProblems, cardText } from './support/card-check';
import { FakeUsersSyncApi, makeRun } from './support/fake-users-sync-api';

const tabUrl = 'http://127.0.0.1:3000/';
const hostile = 'Eve **Bold** _it_ [click](https://evil.example) ${secret} {{DATE(2026-01-01T00:00:00Z)}}\n- list';
const api = new FakeUsersSyncApi();
const report = { ...api.report, skipped: [{ entraObjectId: 'z', email: null, displayName: hostile, reason: 'No mailbox' }], deactivated: [{ entraObjectId: 'd', email: 'd@x.com', displayName: hostile, reason: 'Left the group' }] };

/** Every card the bot sends, with directory text that tries to format, link and template. */
const everyCard = {
  help: helpCard(),
  refusal: refusalCard({ organizationExists: true, admins: [{ name: hostile, email: 'a@x.com', role: 'owner' }] }),
  refusalNoOrganization: refusalCard({ organizationExists: false, admins: [] }),
  status: statusCard({ connection: { ...api.connection, tenantName: hostile }, configuration: { ...api.configuration!, scope: { kind: 'group_name', groupName: hostile } }, lastRun: makeRun(), activeEmployees: 3, now: new Date('2026-11-26T12:00:00Z'), tabUrl }),
  statusNothing: statusCard({ connection: { ...api.connection, status: 'consent_revoked' }, configuration: null, lastRun: undefined, activeEmployees: 0, now: new Date(), tabUrl }),
  runRunning: runCard({ run: makeRun({ status: 'running', progress: { phase: 'reading_users', usersRead: 10, pages: 1, graphRequests: 1 } }), tabUrl }),
  runReport: runCard({ run: makeRun({ counts: { created: 1, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 1 } }), report, tabUrl, heading: 'Sync report' }),
  runFailed: runCard({ run: makeRun({ status: 'failed', error: { code: 'SYNC_FAILED', message: hostile } }), tabUrl }),
  preview: runCard({ run: makeRun({ dryRun: true }), report, tabUrl }),
  history: historyCard([makeRun(), makeRun({ id: 'r2', status: 'awaiting_approval' })], tabUrl),
  historyEmpty: historyCard([], tabUrl),
  approval: approvalCard({ run: makeRun({ status: 'awaiting_approval' }), wouldDeactivate: 40, activeEmployees: 100, report, refreshUserIds: ['29:abc'], tabUrl }),
  approved: approvalOutcomeCard({ run: makeRun(), decidedBy: hostile, alreadyDecided: false, tabUrl }),
  alreadyRejected: approvalOutcomeCard({ run: makeRun({ status: 'rejected' }), alreadyDecided: true, tabUrl }),
  failureConsent: failureCard(makeRun({ status: 'failed', error: { code: 'CONSENT_MISSING', message: 'Admin consent was revoked.' } }), tabUrl),
  failureGroup: failureCard(makeRun({ status: 'failed', error: { code: 'SCOPE_GROUP_NOT_FOUND', message: 'No group named "arsen" exists in the tenant.' } }), tabUrl),
  welcome: welcomeCard({ setUp: false, tabUrl }),
  onboarding: onboardingInstructionsCard({ requester: hostile, organization: 'Contoso', url: 'https://usersync.example/onboarding/abc', expiresAt: '2026-12-17T10:00:00.000Z' }),
  notice: noticeCard(hostile, hostile, [[hostile, hostile]]),
};

describe('cards', () => {
  it.each(Object.entries(everyCard))('renders the %s card as an Adaptive Card 1.5 that parses without error or warning', (_name, card) => {
    expect(cardProblems(card)).toEqual([]);
  });

  it('escapes directory text so it can neither format, link, nor reach the template', () => {
    for (const [name, card] of Object.entries(everyCard)) {
      const json = JSON.stringify(card);
      if (!json.includes('Eve')) continue;
      expect({ name, bold: json.includes('**Bold**') }).toEqual({ name, bold: false });
      expect(json).not.toContain('[click](https://evil.example)');
      expect(json).not.toContain('{{DATE(');
      expect(json).not.toMatch(/\\n- list/);
      // …and still reads as the person typed it.
      expect(cardText(card)).toContain('Eve **Bold** _it_ [click](https://evil.example) ${secret}');
    }
    expect(markdownText('1. Ann')).toBe('1\\. Ann');
    expect(markdownText('Jean-Luc O’Neil')).toBe('Jean\\-Luc O’Neil');
  });

  it('puts Approve and Reject as Action.Execute on the approval card, refreshed for its reader', () => {
    const actions = cardActions(everyCard.approval);
    expect(actions.slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'Action.Execute', verb: 'approveRun', title: 'Approve', data: { runId: 'run-1' } }),
      expect.objectContaining({ type: 'Action.Execute', verb: 'rejectRun', title: 'Reject', data: { runId: 'run-1' } }),
    ]);
    expect(everyCard.approval).toMatchObject({ refresh: { action: { type: 'Action.Execute', verb: 'refreshApproval', data: { runId: 'run-1' } }, userIds: ['29:abc'] } });
    expect(cardText(everyCard.approval)).toContain('deactivate 40 of 100 active employees (40%)');
  });

  it('names the fix on failure cards: reconnect after revoked consent, create or change the group when it is missing or ambiguous', () => {
    expect(cardText(everyCard.failureConsent)).toContain('choose "Connect to Microsoft 365" again');
    expect(cardActions(everyCard.failureConsent)[0]).toMatchObject({ title: 'Reconnect Microsoft 365', url: tabUrl });
    expect(cardText(everyCard.failureGroup)).toContain('Create it in Microsoft Entra ID, or change the scope');
    expect(failureFix('SCOPE_GROUP_AMBIGUOUS').fix).toContain('Rename all but one');
    expect(failureFix('Authorization_RequestDenied').actionTitle).toBe('Reconnect Microsoft 365');
  });

  it('tells the delegated admin what the onboarding link does, the five permissions and why, and its 15-day validity', () => {
    const text = cardText(everyCard.onboarding);
    for (const permission of ['Directory.Read.All', 'User.Read', 'User.Read.All', 'Group.Read.All', 'GroupMember.Read.All']) expect(text).toContain(permission);
    expect(text).toContain('valid for 15 days, until 2026-12-17 10:00 UTC');
    expect(cardActions(everyCard.onboarding)).toEqual([expect.objectContaining({ type: 'Action.OpenUrl', url: 'https://usersync.example/onboarding/abc' })]);
  });

  it('puts the skipped people with their reasons on the sync report', () => {
    const text = cardText(everyCard.runReport);
    expect(text).toContain('Skipped (1):');
    expect(text).toContain('No mailbox');
  });

  it('tells when the schedule reads changes next', () => {
    const configuration = api.configuration!;
    const last = makeRun({ finishedAt: '2026-11-26T10:00:00.000Z' });
    expect(nextScheduledRun(configuration, last, new Date('2026-11-26T10:30:00Z'))).toBe('2026-11-26 11:00 UTC (every 60 min)');
    expect(nextScheduledRun(configuration, last, new Date('2026-11-26T12:00:00Z'))).toBe('Within minutes');
    expect(nextScheduledRun({ ...configuration, schedule: null }, last, new Date())).toBe('No schedule');
  });
});
