/**
 * Adaptive Card 1.5 templates (adaptivecards-templating binds them): the only place the
 * cards' layout lives. Data bound into `text` is escaped by the card builders
 * (cards.ts) when it comes from the directory; URLs are bound into `url` only.
 */
const card = (body: unknown[], actions: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body,
  ...(actions.length > 0 ? { actions } : {}),
  ...extra,
});

const title = (text: string) => ({ type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true });
const paragraph = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text, wrap: true, ...extra });
const facts = (binding: string) => ({ type: 'FactSet', facts: [{ $data: binding, title: '${title}', value: '${value}' }] });
const openUrl = (titleText: string, url: string) => ({ type: 'Action.OpenUrl', title: titleText, url });

export const helpTemplate = card([
  title('Users Sync'),
  paragraph('${intro}'),
  { type: 'FactSet', facts: [{ $data: '${commands}', title: '${command}', value: '${description}' }] },
  paragraph('${scopeNote}', { isSubtle: true, size: 'Small' }),
]);

export const refusalTemplate = card([
  title('${heading}'),
  paragraph('${reason}'),
  { type: 'TextBlock', $when: '${count(admins) > 0}', text: 'Who can help:', wrap: true, weight: 'Bolder' },
  { type: 'FactSet', $when: '${count(admins) > 0}', facts: [{ $data: '${admins}', title: '${name}', value: '${detail}' }] },
]);

export const statusTemplate = card(
  [title('Users Sync status'), facts('${facts}'), paragraph('${hint}', { $when: "${hint != ''}", isSubtle: true })],
  [openUrl('Open Users Sync', '${tabUrl}')],
);

/** A sync run: "sync now" (updated as it runs), the report after each run, a dry run's summary. */
export const runTemplate = card(
  [
    title('${heading}'),
    paragraph('${summary}'),
    facts('${facts}'),
    { type: 'TextBlock', $when: '${count(skipped) > 0}', text: '${skippedHeading}', wrap: true, weight: 'Bolder' },
    { type: 'FactSet', $when: '${count(skipped) > 0}', facts: [{ $data: '${skipped}', title: '${who}', value: '${reason}' }] },
    paragraph('${error}', { $when: "${error != ''}", color: 'Attention' }),
  ],
  [openUrl('Open Users Sync', '${tabUrl}')],
);

export const historyTemplate = card(
  [
    title('Last syncs'),
    paragraph('No sync has run yet. Say "sync now" to run the first one.', { $when: '${count(runs) == 0}' }),
    { type: 'FactSet', $when: '${count(runs) > 0}', facts: [{ $data: '${runs}', title: '${when}', value: '${outcome}' }] },
  ],
  [openUrl('Open sync history', '${tabUrl}')],
);

/** A run held by the deletion guard: Approve / Reject with Universal Actions, refreshed for whoever views it. */
export const approvalTemplate = card(
  [
    title('A sync is waiting for your approval'),
    paragraph('${summary}'),
    facts('${facts}'),
    { type: 'TextBlock', $when: '${count(examples) > 0}', text: 'Among them:', wrap: true, weight: 'Bolder' },
    { type: 'FactSet', $when: '${count(examples) > 0}', facts: [{ $data: '${examples}', title: '${who}', value: '${reason}' }] },
    paragraph('Approve to apply the sync, or reject to keep everyone as they are. Only Users Sync admins can decide.', { isSubtle: true }),
  ],
  [
    { type: 'Action.Execute', title: 'Approve', verb: 'approveRun', style: 'positive', data: { runId: '${runId}' } },
    { type: 'Action.Execute', title: 'Reject', verb: 'rejectRun', style: 'destructive', data: { runId: '${runId}' } },
    openUrl('Review in Users Sync', '${tabUrl}'),
  ],
  { refresh: { action: { type: 'Action.Execute', verb: 'refreshApproval', data: { runId: '${runId}' } }, userIds: '${refreshUserIds}' } },
);

/** What became of a held run, written back into the approval card for everyone. */
export const approvalOutcomeTemplate = card([title('${heading}'), paragraph('${summary}'), facts('${facts}')], [openUrl('Open Users Sync', '${tabUrl}')]);

/** A run that failed, with the fix named. */
export const failureTemplate = card(
  [title('${heading}'), paragraph('${problem}', { color: 'Attention' }), paragraph('${fix}'), facts('${facts}')],
  [openUrl('${actionTitle}', '${tabUrl}')],
);

export const welcomeTemplate = card(
  [
    title('Welcome to Users Sync'),
    paragraph('Users Sync keeps your employee directory identical to Microsoft Entra ID, without CSV files.'),
    paragraph('${nextStep}'),
    paragraph('Say **help** to see what I can do here.', { isSubtle: true }),
  ],
  [openUrl('${setupTitle}', '${tabUrl}')],
);

/** Sent to the Microsoft admin an account owner asked for help ("Share Onboarding Link"). */
export const onboardingInstructionsTemplate = card(
  [
    title('You are asked to connect Microsoft 365 to Users Sync'),
    paragraph('${requester} asks you to set up "Sync your employees" → "Microsoft" for ${organization}. It takes a few minutes and needs a Global Administrator, Privileged Role Administrator or Cloud Application Administrator.'),
    paragraph('The link opens a limited console that can only do this setup: grant admin consent, pick which users to sync, and run the first sync.'),
    { type: 'TextBlock', text: 'Permissions the app asks for, and why:', wrap: true, weight: 'Bolder' },
    { type: 'FactSet', facts: [{ $data: '${permissions}', title: '${name}', value: '${description}' }] },
    paragraph('The link is valid for 15 days, until ${expires}.', { isSubtle: true }),
  ],
  [openUrl('Open the setup link', '${url}')],
);

/** "why <email or name>": the tab's "Someone missing?" answer. */
export const presenceTemplate = card(
  [
    title('${heading}'),
    paragraph('${message}'),
    facts('${facts}'),
    { type: 'TextBlock', $when: '${count(matches) > 0}', text: '${matchesHeading}', wrap: true, weight: 'Bolder' },
    { type: 'FactSet', $when: '${count(matches) > 0}', facts: [{ $data: '${matches}', title: '${name}', value: '${email}' }] },
    paragraph('${hint}', { $when: "${hint != ''}", isSubtle: true }),
  ],
  [openUrl('Open Users Sync', '${tabUrl}')],
);

/** "link <email>": the link made, and whether its instructions reached the Microsoft admin in Teams. */
export const linkSharedTemplate = card(
  [
    title('${heading}'),
    paragraph('${text}'),
    // A text input shows the URL as typed, selectable for copying: Markdown would read its `_` and `-`.
    { type: 'Input.Text', id: 'onboardingLink', label: 'Link (select it to copy)', value: '${url}' },
    facts('${facts}'),
    paragraph('${hint}', { isSubtle: true, size: 'Small' }),
  ],
  [openUrl('Open Users Sync', '${tabUrl}')],
);

/** A short answer: a link generated, a person looked up, a feature not available yet. */
export const noticeTemplate = card([title('${heading}'), paragraph('${text}'), facts('${facts}')]);
