import { Template } from 'adaptivecards-templating';
import { presenceVerdictTitles, requestedPermissions, type CreatedOnboardingLink, type MicrosoftConnection, type PresenceAnswer, type SyncConfiguration, type SyncRun } from '@users-sync/api/contract';
import type { SyncReport } from '../api-client/users-sync-api';
import type { AdaptiveCardJson } from '../chat/chat';
import { commandCatalog } from '../commands/command-catalog';
import {
  approvalOutcomeTemplate,
  approvalTemplate,
  failureTemplate,
  helpTemplate,
  historyTemplate,
  linkSharedTemplate,
  noticeTemplate,
  onboardingInstructionsTemplate,
  presenceTemplate,
  refusalTemplate,
  runTemplate,
  statusTemplate,
  welcomeTemplate,
} from './card-templates';
import { markdownText as md } from './markdown-text';

/** Binds a template with adaptivecards-templating; the data is the template's `$root`. */
export function renderCard(template: object, data: Record<string, unknown>): AdaptiveCardJson {
  return new Template(template).expand({ $root: data }) as AdaptiveCardJson;
}

interface Fact {
  title: string;
  value: string;
}
const fact = (title: string, value: string): Fact => ({ title: md(title), value: md(value) });

/** Dates as every reader of the card sees them alike (the card has no viewer's time zone to go by). */
export function when(iso: string | null): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

const phases: Record<string, string> = {
  resolving_scope: 'Finding who is in scope',
  taking_delta_links: 'Preparing to follow changes',
  reading_users: 'Reading users from Microsoft Entra ID',
  reading_changes: 'Reading changes from Microsoft Entra ID',
  reading_groups: 'Reading groups',
  applying: 'Updating the directory',
  deactivating: 'Deactivating people who left',
  done: 'Done',
};

const outcomes: Record<SyncRun['status'], string> = {
  queued: 'Waiting to start',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  awaiting_approval: 'Waiting for approval',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

export function countsText(run: SyncRun): string {
  const c = run.counts;
  return `${c.created} created, ${c.updated} updated, ${c.deactivated} deactivated, ${c.reactivated} reactivated, ${c.unchanged} unchanged, ${c.skipped} skipped`;
}

export function helpCard(): AdaptiveCardJson {
  return renderCard(helpTemplate, {
    intro: 'I keep you posted on Users Sync and run syncs for you. Say one of these:',
    commands: commandCatalog.map((c) => ({ command: md(c.title), description: md(c.description) })),
    scopeNote: 'In a team, @mention me first; link and why answer in our personal chat only. Commands ignore case and small typos.',
  });
}

export function refusalCard(input: { organizationExists: boolean; admins: Array<{ name: string; email: string; role: string }> }): AdaptiveCardJson {
  return renderCard(refusalTemplate, {
    heading: 'Sorry, I can only help Users Sync admins',
    reason: input.organizationExists
      ? 'You are not an administrator of Users Sync for your organization. Ask one of the admins below to add you, or to do this for you.'
      : 'Nobody in your organization has set up Users Sync yet. Open the Users Sync tab in Teams to set it up: the first person to sign in becomes its owner.',
    admins: input.admins.map((a) => ({ name: md(a.name), detail: md(`${a.email} (${a.role})`) })),
  });
}

const scopeText = (scope: SyncConfiguration['scope']): string =>
  scope.kind === 'all' ? 'All users' : scope.kind === 'group_name' ? `All users of the group "${scope.groupName}"` : `Members of ${scope.groupIds.length} chosen group${scope.groupIds.length === 1 ? '' : 's'}`;

const connectionText = (connection: MicrosoftConnection): string =>
  connection.status === 'connected'
    ? `Connected${connection.tenantName ? ` to ${connection.tenantName}` : ''}`
    : connection.status === 'consent_revoked'
      ? 'Consent revoked: connect Microsoft 365 again'
      : 'Not connected';

/** When the schedule will next read changes: the last run's end plus the interval (or soon, when that is past). */
export function nextScheduledRun(configuration: SyncConfiguration | null, lastRun: SyncRun | undefined, now: Date): string {
  if (!configuration?.schedule) return 'No schedule';
  if (!lastRun?.finishedAt) return 'After the first sync';
  const next = new Date(Date.parse(lastRun.finishedAt) + configuration.schedule.intervalMinutes * 60_000);
  return next.getTime() <= now.getTime() ? 'Within minutes' : `${when(next.toISOString())} (every ${configuration.schedule.intervalMinutes} min)`;
}

export function statusCard(input: {
  connection: MicrosoftConnection;
  configuration: SyncConfiguration | null;
  lastRun: SyncRun | undefined;
  activeEmployees: number;
  now: Date;
  tabUrl: string;
}): AdaptiveCardJson {
  const { connection, configuration, lastRun } = input;
  return renderCard(statusTemplate, {
    facts: [
      fact('Microsoft 365', connectionText(connection)),
      fact('Scope', configuration ? scopeText(configuration.scope) : 'Not chosen yet'),
      fact('Last sync', lastRun ? `${outcomes[lastRun.status]}, ${when(lastRun.finishedAt ?? lastRun.queuedAt)}` : 'None yet'),
      ...(lastRun ? [fact('Last sync changes', countsText(lastRun))] : []),
      fact('Next scheduled sync', nextScheduledRun(configuration, lastRun, input.now)),
      fact('Active employees', String(input.activeEmployees)),
    ],
    hint: connection.status === 'connected' ? '' : 'Open Users Sync and choose "Connect to Microsoft 365" to start syncing.',
    tabUrl: input.tabUrl,
  });
}

const skippedRows = (report: SyncReport | undefined) =>
  (report?.skipped ?? []).slice(0, 10).map((entry) => ({ who: md(entry.displayName ?? entry.email ?? entry.entraObjectId ?? 'Unknown user'), reason: md(entry.reason ?? 'No reason given') }));

/** A run as "sync now" shows it while it runs and when it ends; also the report after each run. */
export function runCard(input: { run: SyncRun; report?: SyncReport; tabUrl: string; heading?: string }): AdaptiveCardJson {
  const { run } = input;
  const settled = run.status !== 'queued' && run.status !== 'running';
  const summary = !settled
    ? `${phases[run.progress.phase ?? ''] ?? 'Starting'}… ${run.progress.usersRead} users read so far.`
    : run.status === 'succeeded'
      ? `${run.dryRun ? 'Nothing was changed: this is what a sync would do. ' : ''}${countsText(run)}.`
      : run.status === 'awaiting_approval'
        ? 'The sync would deactivate many people, so it waits for an admin to approve it.'
        : `The sync ended: ${outcomes[run.status].toLowerCase()}.`;
  return renderCard(runTemplate, {
    heading: input.heading ?? (run.dryRun ? 'Preview of the next sync' : settled ? `Sync ${outcomes[run.status].toLowerCase()}` : 'Sync in progress'),
    summary: md(summary),
    facts: [
      fact('Status', outcomes[run.status]),
      fact('Started', when(run.startedAt ?? run.queuedAt)),
      ...(settled ? [fact('Duration', duration(run.durationMs))] : [fact('Users read', String(run.progress.usersRead)), fact('Pages', String(run.progress.pages))]),
      ...(settled && run.counts.skipped > 0 ? [fact('Skipped', String(run.counts.skipped))] : []),
    ],
    skippedHeading: md(`Skipped (${run.counts.skipped}${run.counts.skipped > 10 ? ', first 10 shown' : ''}):`),
    skipped: skippedRows(input.report),
    error: run.error && run.status !== 'awaiting_approval' ? md(run.error.message) : '',
    tabUrl: input.tabUrl,
  });
}

export function historyCard(runs: SyncRun[], tabUrl: string): AdaptiveCardJson {
  return renderCard(historyTemplate, {
    runs: runs.map((run) => ({
      when: md(when(run.startedAt ?? run.queuedAt)),
      outcome: md(`${outcomes[run.status]}${run.dryRun ? ' (preview)' : ''} · ${run.trigger.replace('_', ' ')} · ${countsText(run)}`),
    })),
    tabUrl,
  });
}

export function approvalCard(input: { run: SyncRun; wouldDeactivate: number; activeEmployees: number; report?: SyncReport; refreshUserIds: string[]; tabUrl: string }): AdaptiveCardJson {
  const share = input.activeEmployees > 0 ? Math.round((input.wouldDeactivate / input.activeEmployees) * 100) : 100;
  return renderCard(approvalTemplate, {
    summary: md(`This sync would deactivate ${input.wouldDeactivate} of ${input.activeEmployees} active employees (${share}%). The deletion guard holds it until an admin decides.`),
    facts: [fact('Would deactivate', String(input.wouldDeactivate)), fact('Other changes', countsText(input.run)), fact('Held since', when(input.run.finishedAt))],
    examples: (input.report?.deactivated ?? []).slice(0, 5).map((e) => ({ who: md(e.displayName ?? e.email ?? 'Unknown user'), reason: md(e.reason ?? 'Leaves the scope') })),
    runId: input.run.id,
    refreshUserIds: input.refreshUserIds,
    tabUrl: input.tabUrl,
  });
}

/** What became of a held run; `decidedNow` tells a first decision from a click after the fact. */
export function approvalOutcomeCard(input: { run: SyncRun; decidedBy?: string; alreadyDecided: boolean; tabUrl: string }): AdaptiveCardJson {
  const { run } = input;
  const verdict = run.status === 'rejected' ? 'rejected' : run.status === 'cancelled' ? 'replaced by a newer sync' : run.status === 'awaiting_approval' ? 'still waiting' : 'approved';
  const who = input.decidedBy ? ` by ${input.decidedBy}` : '';
  return renderCard(approvalOutcomeTemplate, {
    heading: md(`Sync ${verdict}${who}`),
    summary: md(
      input.alreadyDecided
        ? `This sync was already ${verdict}; nothing more to decide.`
        : run.status === 'rejected'
          ? 'Nobody was deactivated.'
          : `The sync was applied: ${countsText(run)}.`,
    ),
    facts: [fact('Status', outcomes[run.status]), fact('Sync', when(run.startedAt ?? run.queuedAt))],
    tabUrl: input.tabUrl,
  });
}

/** The fix for each failure the admins can act on; the run's own message says what happened. */
export function failureFix(code: string): { fix: string; actionTitle: string } {
  switch (code) {
    case 'CONSENT_MISSING':
    case 'MICROSOFT_NOT_CONNECTED':
    case 'Authorization_RequestDenied':
      return { fix: 'Admin consent was revoked or never granted. A Microsoft admin must open Users Sync and choose "Connect to Microsoft 365" again.', actionTitle: 'Reconnect Microsoft 365' };
    case 'SCOPE_GROUP_NOT_FOUND':
      return { fix: 'The group of the sync scope does not exist. Create it in Microsoft Entra ID, or change the scope in Users Sync, then sync again.', actionTitle: 'Change the scope' };
    case 'SCOPE_GROUP_AMBIGUOUS':
      return { fix: 'Several groups have the scope’s name. Rename all but one in Microsoft Entra ID, or choose the groups in Users Sync, then sync again.', actionTitle: 'Change the scope' };
    default:
      return { fix: 'Open Users Sync to see the details, then sync again. Nobody was deactivated.', actionTitle: 'Open Users Sync' };
  }
}

export function failureCard(run: SyncRun, tabUrl: string): AdaptiveCardJson {
  const { fix, actionTitle } = failureFix(run.error?.code ?? '');
  return renderCard(failureTemplate, {
    heading: 'A sync failed',
    problem: md(run.error?.message ?? 'The sync did not finish.'),
    fix: md(fix),
    facts: [fact('Started', when(run.startedAt ?? run.queuedAt)), fact('Error code', run.error?.code ?? '—')],
    actionTitle,
    tabUrl,
  });
}

export function welcomeCard(input: { setUp: boolean; tabUrl: string }): AdaptiveCardJson {
  return renderCard(welcomeTemplate, {
    nextStep: input.setUp
      ? 'Your organization already uses Users Sync: I will send you sync reports and ask you when a sync needs approval.'
      : 'To start, open Users Sync, choose "Microsoft Users Sync" and "Connect to Microsoft 365". If someone else is the Microsoft admin, share an onboarding link with them.',
    setupTitle: input.setUp ? 'Open Users Sync' : 'Set up Users Sync',
    tabUrl: input.tabUrl,
  });
}

export function onboardingInstructionsCard(input: { requester: string; organization: string; url: string; expiresAt: string }): AdaptiveCardJson {
  return renderCard(onboardingInstructionsTemplate, {
    requester: md(input.requester),
    organization: md(input.organization),
    permissions: requestedPermissions.map((p) => ({ name: md(p.name), description: md(p.description) })),
    expires: md(when(input.expiresAt)),
    url: input.url,
  });
}

export function noticeCard(heading: string, text: string, facts: Array<[string, string]> = []): AdaptiveCardJson {
  return renderCard(noticeTemplate, { heading: md(heading), text: md(text), facts: facts.map(([t, v]) => fact(t, v)) });
}

/** "why": the verdict as its heading, the api's sentence saying what to do, and the facts behind it. */
export function presenceCard(answer: PresenceAnswer, tabUrl: string): AdaptiveCardJson {
  const facts: Fact[] = [];
  const person = answer.person;
  if (person) {
    facts.push(fact('Person', person.displayName ?? person.userPrincipalName ?? person.entraObjectId));
    if (person.email) facts.push(fact('Email', person.email));
    if (person.accountEnabled === false) facts.push(fact('Account', 'disabled in Entra ID'));
    if (person.userType === 'Guest') facts.push(fact('Account', 'guest'));
  }
  facts.push(fact('Who is synchronized', answer.scope.description));
  if (answer.exclusion) facts.push(fact('Matching exclusion', answer.exclusion));
  if (answer.groups.length > 0) {
    const names = answer.groups.map((g) => g.displayName ?? g.id);
    const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? ` and ${names.length - 8} more` : '');
    facts.push(fact(answer.verdict === 'outside_scope' ? 'Their groups' : 'Through', shown));
  }
  if (answer.employee) {
    facts.push(fact('In the directory', answer.employee.status === 'active' ? 'active' : `inactive since ${when(answer.employee.deactivatedAt)}`));
    if (answer.employee.lastChange) facts.push(fact('Last change', `${answer.employee.lastChange.action}, ${when(answer.employee.lastChange.at)}`));
  }
  return renderCard(presenceTemplate, {
    heading: md(presenceVerdictTitles[answer.verdict]),
    message: md(answer.message),
    facts,
    matchesHeading: 'Who did you mean? Ask again with their email:',
    matches: answer.matches.map((m) => ({ name: md(m.displayName ?? m.userPrincipalName ?? m.entraObjectId), email: md(m.email ?? 'no usable email') })),
    hint: answer.moreMatches ? 'More people match: ask with an email address to be sure.' : '',
    tabUrl,
  });
}

/** "link": the new link, and whether the bot could give its instructions to the Microsoft admin in Teams. */
export function linkSharedCard(shared: CreatedOnboardingLink, tabUrl: string): AdaptiveCardJson {
  const { link } = shared;
  const delivered = link.delivery.status === 'delivered';
  return renderCard(linkSharedTemplate, {
    heading: delivered ? `Sent to ${md(link.email)} in Teams` : 'Onboarding link ready: copy it and send it yourself',
    text: delivered
      ? md(`${link.email} has the instructions and the link in their chat with Users Sync. They can connect Microsoft 365 until ${when(link.expiresAt)}.`)
      : md(`${link.delivery.reason ?? 'The bot could not reach them in Teams.'} Send them the link below; it works until ${when(link.expiresAt)}.`),
    url: shared.url,
    facts: [fact('For', link.email), fact('Valid until', when(link.expiresAt))],
    hint: 'The link opens a console that can only connect Microsoft 365 and choose who to sync, after its holder signs in as the address above. Revoke it in Users Sync if it was sent to the wrong person.',
    tabUrl,
  });
}
