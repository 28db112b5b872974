import { commandCatalog } from '@users-sync/bot/commands/command-catalog';
import { cardActions, cardProblems, cardText } from './support/card-check';
import type { PresenceAnswer } from '@users-sync/api/contract';
import { admin, makeRun, owner, tenantId } from './support/fake-users-sync-api';
import { cardActionInvoke, installationUpdate, teamsMessage } from './support/teams-activities';
import { tabUrl, TeamsTestChat } from './support/teams-test-chat';

const stranger = { aadObjectId: 'stranger-oid', name: 'Sam Stranger' };

/** A "Someone missing?" answer as the api gives it. */
const presence = (answer: Partial<PresenceAnswer> & Pick<PresenceAnswer, 'verdict' | 'message'>): PresenceAnswer => ({
  query: 'q',
  person: null,
  matches: [],
  moreMatches: false,
  scope: { kind: 'group_name', description: 'Members of the group "arsen", nested groups included' },
  groups: [],
  exclusion: null,
  employee: null,
  ...answer,
});

/** The one card the bot answered with, checked to parse as Adaptive Card 1.5. */
async function cardReply(chat: TeamsTestChat, text: string, sender: { aadObjectId: string; name: string } = owner, scope: 'personal' | 'channel' = 'personal') {
  const replies = await chat.send(teamsMessage(text, sender, { scope }));
  expect(replies).toHaveLength(1);
  const card = TeamsTestChat.card(replies[0]);
  expect(cardProblems(card)).toEqual([]);
  return card;
}

describe('chat commands (TestAdapter)', () => {
  it('answers "help", and anything it does not understand, with the list of commands of the catalog', async () => {
    const chat = new TeamsTestChat();
    for (const text of ['help', 'HELP', 'hlep', 'what can you do?']) {
      const card = await cardReply(chat, text);
      for (const entry of commandCatalog) expect(cardText(card)).toContain(entry.title);
    }
    expect(chat.api.calls).toEqual([]);
  });

  it('answers "status" with connection, scope, last and next sync, and employee counts', async () => {
    const chat = new TeamsTestChat();
    chat.api.runs = [makeRun({ finishedAt: '2026-11-26T10:00:02.000Z' })];
    const text = cardText(await cardReply(chat, 'status'));
    expect(text).toContain('Connected to Contoso');
    expect(text).toContain('All users of the group "arsen"');
    expect(text).toContain('Succeeded, 2026-11-26 10:00 UTC');
    expect(text).toContain('100 created, 0 updated, 0 deactivated, 0 reactivated, 18 unchanged, 2 skipped');
    expect(text).toMatch(/Next scheduled sync\n(Within minutes|2026-11-26 11:00 UTC)/);
    expect(text).toContain('Active employees\n118');
    expect(chat.api.calls).toContain(`connection as ${owner.aadObjectId}`);
  });

  it('says in "status" what to do when Microsoft 365 is not connected and no scope is chosen', async () => {
    const chat = new TeamsTestChat();
    chat.api.connection = { ...chat.api.connection, status: 'not_connected', tenantName: null };
    chat.api.configuration = null;
    const text = cardText(await cardReply(chat, 'stauts'));
    expect(text).toContain('Not connected');
    expect(text).toContain('Not chosen yet');
    expect(text).toContain('Connect to Microsoft 365');
  });

  it('answers "sync now" at once with a card, then updates that same card as the run goes on and when it ends', async () => {
    const chat = new TeamsTestChat();
    const replies = await chat.send(teamsMessage('Sync now', admin));
    const first = TeamsTestChat.card(replies[0]);
    expect(cardText(first)).toContain('Sync in progress');
    await chat.handlers.commands.idle();
    const updates = chat.messenger.updates;
    expect(updates.map((u) => u.id)).toEqual(updates.map(() => replies[0]!.id));
    const texts = updates.map((u) => cardText('card' in u.message ? u.message.card : {}));
    expect(texts[0]).toContain('Reading users from Microsoft Entra ID… 50 users read so far.');
    expect(texts[1]).toContain('Updating the directory… 120 users read so far.');
    expect(texts.at(-1)).toContain('Sync succeeded');
    expect(texts.at(-1)).toContain('3 created, 1 updated');
    expect(texts.at(-1)).toContain('Printer [Room 2]');
    expect(texts.at(-1)).toContain('No mailbox: no email to sync');
    for (const update of updates) expect(cardProblems('card' in update.message ? update.message.card : {})).toEqual([]);
    // The card is updated in the chat it was sent to.
    expect(updates[0]!.reference).toMatchObject({ conversation: { id: `a:personal-${admin.aadObjectId}` } });
  });

  it('answers "preview" with a dry run’s summary that changes nothing', async () => {
    const chat = new TeamsTestChat();
    await chat.send(teamsMessage('preview', owner));
    await chat.handlers.commands.idle();
    expect(chat.api.runs[0]!.dryRun).toBe(true);
    const last = chat.messenger.updates.at(-1)!.message;
    const text = cardText('card' in last ? last.card : {});
    expect(text).toContain('Preview of the next sync');
    expect(text).toContain('Nothing was changed: this is what a sync would do.');
  });

  it('answers "history" with the last runs, and says when there is none', async () => {
    const chat = new TeamsTestChat();
    expect(cardText(await cardReply(chat, 'history'))).toContain('No sync has run yet');
    chat.api.runs = [makeRun({ id: 'r2', trigger: 'schedule' }), makeRun({ id: 'r1', status: 'failed', error: { code: 'SYNC_FAILED', message: 'x' } })];
    const text = cardText(await cardReply(chat, 'histroy'));
    expect(text).toContain('Succeeded · schedule');
    expect(text).toContain('Failed · manual');
  });

  it('answers @mentions in a team channel the same way', async () => {
    const chat = new TeamsTestChat();
    const card = await cardReply(chat, 'status', owner, 'channel');
    expect(cardText(card)).toContain('Users Sync status');
  });

  it('refuses a person who is not a Users Sync admin politely, naming the admins', async () => {
    const chat = new TeamsTestChat();
    for (const text of ['sync now', 'status', 'history', 'preview', 'why ann@contoso.com', 'link it@contoso.com']) {
      const card = await cardReply(chat, text, stranger);
      const said = cardText(card);
      expect(said).toContain('Sorry, I can only help Users Sync admins');
      expect(said).toContain('Ann Owner');
      expect(said).toContain('ann@contoso.com (owner)');
      expect(said).toContain('Bob Admin');
    }
    expect(chat.api.runs).toEqual([]);
  });

  it('tells someone from a tenant that has not set Users Sync up how to start', async () => {
    const chat = new TeamsTestChat();
    const replies = await chat.send(teamsMessage('status', { aadObjectId: 'x', name: 'X', tenant: 'bbbbbbbb-0000-0000-0000-000000000000' }));
    expect(cardText(TeamsTestChat.card(replies[0]))).toContain('Nobody in your organization has set up Users Sync yet');
  });

  it('asks for the missing part when "link" or "why" come without an email or a name', async () => {
    const chat = new TeamsTestChat();
    expect(cardText(await cardReply(chat, 'link not-an-email'))).toContain('Whom should I send the link to?');
    expect(cardText(await cardReply(chat, 'why'))).toContain('Who should I look up?');
    expect(chat.api.sharedLinks).toEqual([]);
  });

  it('generates an onboarding link with "link <email>", shows it to copy, and says whether the instructions reached the person in Teams', async () => {
    const chat = new TeamsTestChat();
    const delivered = await cardReply(chat, 'Link it.admin@Contoso.com');
    expect(cardText(delivered)).toContain('Sent to it.admin@contoso.com in Teams');
    const linkField = (delivered.body as Array<Record<string, unknown>>).find((element) => element.type === 'Input.Text');
    expect(linkField).toMatchObject({ id: 'onboardingLink', value: 'https://usersync.example/onboarding#secret_link-1-x' });
    expect(cardText(delivered)).toContain('2026-12-17 10:00 UTC');

    const notDelivered = cardText(await cardReply(chat, 'lnik consultant@fabrikam.com'));
    expect(notDelivered).toContain('copy it and send it yourself');
    expect(notDelivered).toContain('consultant@fabrikam.com is not a person of your Microsoft 365 organization');
    expect(chat.api.sharedLinks).toEqual([
      { by: owner.aadObjectId, email: 'it.admin@Contoso.com' },
      { by: owner.aadObjectId, email: 'consultant@fabrikam.com' },
    ]);
  });

  it('never posts an onboarding link or a person’s account in a team channel, where everyone would read it', async () => {
    const chat = new TeamsTestChat();
    expect(cardText(await cardReply(chat, 'link it.admin@contoso.com', owner, 'channel'))).toContain('Ask me in our personal chat');
    expect(cardText(await cardReply(chat, 'why ann@contoso.com', owner, 'channel'))).toContain('Ask me in our personal chat');
    expect(chat.api.sharedLinks).toEqual([]);
    expect(chat.api.calls.filter((c) => c.startsWith('whyInDirectory'))).toEqual([]);
  });

  it('takes a message that does not say where it was written for a shared conversation, not a private one', async () => {
    const chat = new TeamsTestChat();
    const message = teamsMessage('link it.admin@contoso.com', owner);
    delete (message.conversation as { conversationType?: string }).conversationType;
    const replies = await chat.send(message);
    expect(cardText(TeamsTestChat.card(replies[0]))).toContain('Ask me in our personal chat');
    expect(chat.api.sharedLinks).toEqual([]);
  });

  it('explains with "why <email or name>" why someone is or is not in the directory, as "Someone missing?" does', async () => {
    const chat = new TeamsTestChat();
    chat.api.presence.set('zoe@contoso.com', presence({
      verdict: 'outside_scope',
      message: 'Zoë is in none of the groups synchronized. Add her to "arsen", or change the scope.',
      person: { entraObjectId: 'zoe-oid', displayName: 'Zoë *Star*', email: 'zoe@contoso.com', userPrincipalName: 'zoe@contoso.com', accountEnabled: true, userType: 'Member' },
      groups: [{ id: 'g1', displayName: 'Design [EU]' }],
    }));
    const card = await cardReply(chat, 'why zoe@contoso.com');
    const text = cardText(card);
    expect(text).toContain('Outside the synchronized users');
    expect(text).toContain('Add her to "arsen", or change the scope.');
    expect(text).toContain('Zoë *Star*');
    expect(JSON.stringify(card)).toContain('Zoë \\\\*Star\\\\*');
    expect(text).toContain('Their groups\nDesign [EU]');
    expect(chat.api.calls).toContain(`whyInDirectory as ${owner.aadObjectId}`);
  });

  it('lists whom "why" could mean when several people match a name, and asks again with an email', async () => {
    const chat = new TeamsTestChat();
    const person = (name: string, email: string) => ({ entraObjectId: email, displayName: name, email, userPrincipalName: email, accountEnabled: true, userType: 'Member' });
    chat.api.presence.set('Alex', presence({ verdict: 'several_matches', message: 'Several people are called Alex.', matches: [person('Alex Kim', 'alex.kim@contoso.com'), person('Alex Ruiz', 'alex.ruiz@contoso.com')], moreMatches: true }));
    const text = cardText(await cardReply(chat, 'why Alex'));
    expect(text).toContain('Several people match');
    expect(text).toContain('Alex Kim\nalex.kim@contoso.com');
    expect(text).toContain('Alex Ruiz\nalex.ruiz@contoso.com');
    expect(text).toContain('More people match');
  });

  it('passes on the api\'s refusal of "why" with what to do, before Microsoft 365 is connected', async () => {
    const chat = new TeamsTestChat();
    const text = cardText(await cardReply(chat, 'why nobody@contoso.com'));
    expect(text).toContain('Microsoft 365 is not connected yet');
    expect(text).toContain('MICROSOFT_NOT_CONNECTED');
  });
});

describe('installation (TestAdapter)', () => {
  it('keeps the conversation reference with the api and welcomes the person with the setup button', async () => {
    const chat = new TeamsTestChat();
    const replies = await chat.send(installationUpdate('add', owner));
    const card = TeamsTestChat.card(replies[0]);
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain('Welcome to Users Sync');
    expect(cardActions(card)).toEqual([expect.objectContaining({ type: 'Action.OpenUrl', title: 'Open Users Sync', url: tabUrl })]);
    const saved = chat.api.conversations.get(`${tenantId}/personal/${owner.aadObjectId}`);
    expect(saved?.reference).toMatchObject({ conversation: { id: `a:personal-${owner.aadObjectId}` }, serviceUrl: 'https://smba.trafficmanager.net/emea/' });

    await chat.send(installationUpdate('remove', owner));
    expect(chat.api.conversations.size).toBe(0);
  });

  it('offers to set Users Sync up when nobody of the tenant has', async () => {
    const chat = new TeamsTestChat();
    chat.api.organizationExists = false;
    const card = TeamsTestChat.card((await chat.send(installationUpdate('add', stranger)))[0]);
    expect(cardActions(card)[0]!.title).toBe('Set up Users Sync');
  });

  it('keeps a team installation under the team’s id', async () => {
    const chat = new TeamsTestChat();
    await chat.send(installationUpdate('add', owner, { scope: 'channel' }));
    expect([...chat.api.conversations.keys()]).toEqual([`${tenantId}/team/19:team@thread.tacv2`]);
  });
});

describe('deletion approval card actions (TestAdapter, teamsfx card actions)', () => {
  const held = () => makeRun({ id: 'held-1', status: 'awaiting_approval', counts: { created: 0, updated: 0, deactivated: 40, reactivated: 0, unchanged: 60, skipped: 0 }, error: { code: 'DELETION_GUARD', message: 'x' } });
  const invokeResponse = (replies: Array<Partial<{ type: string; value: unknown }>>) => replies.find((r) => r.type === 'invokeResponse')?.value as { status: number; body: { type: string; value: unknown } };

  it('applies the run when an admin approves, and writes the outcome into the card for everyone', async () => {
    const chat = new TeamsTestChat();
    chat.api.runs = [held()];
    const replies = await chat.send(cardActionInvoke('approveRun', { runId: 'held-1' }, admin));
    const response = invokeResponse(replies);
    expect(response.status).toBe(200);
    expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardProblems(response.body.value)).toEqual([]);
    expect(cardText(response.body.value)).toContain('Sync approved by Bob Admin');
    expect(chat.api.runs[0]!.status).toBe('succeeded');
  });

  it('answers a second click with the outcome already taken', async () => {
    const chat = new TeamsTestChat();
    chat.api.runs = [held()];
    await chat.send(cardActionInvoke('rejectRun', { runId: 'held-1' }, owner));
    const again = invokeResponse(await chat.send(cardActionInvoke('approveRun', { runId: 'held-1' }, admin)));
    expect(cardText(again.body.value)).toContain('This sync was already rejected; nothing more to decide.');
    expect(chat.api.runs[0]!.status).toBe('rejected');
  });

  it('lets only admins decide: anyone else gets a message and the run stays held', async () => {
    const chat = new TeamsTestChat();
    chat.api.runs = [held()];
    const response = invokeResponse(await chat.send(cardActionInvoke('approveRun', { runId: 'held-1' }, stranger)));
    expect(response.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: 'Only Users Sync admins can decide on this sync: ask Ann Owner, Bob Admin.' });
    expect(chat.api.runs[0]!.status).toBe('awaiting_approval');
  });

  it('refreshes the card for whoever views it: still held, or what was decided', async () => {
    const chat = new TeamsTestChat();
    chat.api.runs = [held()];
    const still = invokeResponse(await chat.send(cardActionInvoke('refreshApproval', { runId: 'held-1' }, admin, { trigger: 'automatic' })));
    expect(cardProblems(still.body.value)).toEqual([]);
    expect(cardActions(still.body.value).map((a) => a.title)).toEqual(['Approve', 'Reject', 'Review in Users Sync']);
    expect((still.body.value as { refresh: { userIds: string[] } }).refresh.userIds).toEqual([`29:${admin.aadObjectId}`]);
    await chat.send(cardActionInvoke('approveRun', { runId: 'held-1' }, owner));
    const decided = invokeResponse(await chat.send(cardActionInvoke('refreshApproval', { runId: 'held-1' }, admin, { trigger: 'automatic' })));
    expect(cardText(decided.body.value)).toContain('Sync approved');
    expect(cardActions(decided.body.value).map((a) => a.type)).toEqual(['Action.OpenUrl']);
  });
});
