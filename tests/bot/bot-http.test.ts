import type { Activity } from 'botbuilder';
import { close, createLogger, listen } from '@users-sync/api/service';
import type { BotNotification } from '@users-sync/api/contract';
import { createBotApp, type BotApp } from '@users-sync/bot/app';
import { loadBotConfig } from '@users-sync/bot/config';
import { cardActions, cardProblems, cardText } from './support/card-check';
import { cardOf, FakeBotConnector } from './support/fake-bot-connector';
import { admin, FakeUsersSyncApi, makeRun, owner, tenantId } from './support/fake-users-sync-api';
import { cardActionInvoke, installationUpdate, teamsMessage } from './support/teams-activities';

const secret = 'api-and-bot-share-this-secret';

describe('the bot over HTTP, in local mode, with a Bot Connector on loopback', () => {
  let connector: FakeBotConnector;
  let bot: BotApp;
  let base: string;
  const api = new FakeUsersSyncApi();

  beforeAll(async () => {
    connector = await FakeBotConnector.start();
    bot = createBotApp(loadBotConfig({ NOTIFY_SECRET: secret, BOT_RUN_POLL_MS: '10', TEAMS_APP_ID: 'teams-app-id' }), createLogger({ service: 'bot', level: 'silent', pretty: false }), '0.0.0', { api });
    base = `http://127.0.0.1:${await listen(bot.server, 0, '127.0.0.1', 'BOT_PORT')}`;
  });
  afterAll(async () => {
    await bot.handlers.commands.idle();
    await close(bot.server);
    await connector.close();
  });

  const post = (activity: Partial<Activity>) =>
    fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const say = (text: string, sender: { aadObjectId: string; name: string }, scope: 'personal' | 'channel' = 'personal') => teamsMessage(text, sender, { scope, serviceUrl: connector.url });

  it('replies to a personal message in its conversation, through the serviceUrl', async () => {
    const activity = say('help', owner);
    const res = await post(activity);
    expect(res.status).toBe(200);
    const reply = await connector.waitFor((c) => c.activityId === activity.id, 'the reply to help');
    expect(reply).toMatchObject({ kind: 'post', conversationId: `a:personal-${owner.aadObjectId}` });
    expect(cardProblems(cardOf(reply))).toEqual([]);
    expect(cardText(cardOf(reply))).toContain('sync now');
  });

  it('replies to an @mention in a team channel, reading the command without the mention', async () => {
    const activity = say('status', owner, 'channel');
    expect((await post(activity)).status).toBe(200);
    const reply = await connector.waitFor((c) => c.activityId === activity.id, 'the reply to status');
    expect(reply.conversationId).toBe('19:general@thread.tacv2;messageid=1');
    expect(cardText(cardOf(reply))).toContain('Users Sync status');
    expect(cardActions(cardOf(reply))[0]!.url).toBe('https://teams.microsoft.com/l/entity/teams-app-id/admin');
  });

  it('updates the "sync now" card in place on the Bot Connector until the run ends', async () => {
    const activity = say('sync now', admin);
    await post(activity);
    const reply = await connector.waitFor((c) => c.activityId === activity.id, 'the sync card');
    const messageId = `message-${connector.calls.indexOf(reply) + 1}`;
    expect(cardText(cardOf(reply))).toContain('Sync in progress');
    const last = await connector.waitFor((c) => c.kind === 'update' && cardText(cardOf(c)).includes('Sync succeeded'), 'the final sync card');
    const updates = connector.calls.filter((c) => c.kind === 'update' && c.conversationId === `a:personal-${admin.aadObjectId}`);
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(new Set(updates.map((u) => u.activityId))).toEqual(new Set([last.activityId]));
    expect(last.activityId).toMatch(/^message-\d+$/);
    void messageId;
  });

  it('keeps installations with the api, then sends the admins the sync report and the failure card with its fix', async () => {
    for (const person of [owner, admin]) {
      const install = installationUpdate('add', person, { serviceUrl: connector.url });
      await post(install);
      await connector.waitFor((c) => c.activityId === install.id && cardText(cardOf(c)).includes('Welcome to Users Sync'), `the welcome card to ${person.name}`);
    }
    expect(api.conversations.size).toBe(2);

    const notify = (notification: BotNotification) =>
      fetch(`${base}/api/notify`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-notify-secret': secret }, body: JSON.stringify(notification) });
    const before = connector.calls.length;
    api.runs = [makeRun({ id: 'report-1' })];
    expect((await notify({ kind: 'sync_finished', organizationId: 'org-1', tenantId, run: api.runs[0]! })).status).toBe(202);
    const reports = connector.calls.slice(before).filter((c) => c.kind === 'post');
    expect(reports.map((c) => c.conversationId).sort()).toEqual([`a:personal-${admin.aadObjectId}`, `a:personal-${owner.aadObjectId}`]);
    for (const report of reports) {
      expect(cardProblems(cardOf(report))).toEqual([]);
      expect(cardText(cardOf(report))).toContain('Sync report');
      expect(cardText(cardOf(report))).toContain('Printer [Room 2]');
    }

    const failed = makeRun({ id: 'failed-1', status: 'failed', error: { code: 'SCOPE_GROUP_AMBIGUOUS', message: '2 groups are named "arsen".' } });
    await notify({ kind: 'sync_finished', organizationId: 'org-1', tenantId, run: failed });
    const failure = await connector.waitFor((c) => c.kind === 'post' && cardText(cardOf(c)).includes('A sync failed'), 'the failure card');
    expect(cardText(cardOf(failure))).toContain('Rename all but one');
  });

  it('sends the approval card, and applies the run from its Approve button: outcome in the invoke answer and in the card for everyone', async () => {
    api.runs = [makeRun({ id: 'held-9', status: 'awaiting_approval', counts: { created: 0, updated: 0, deactivated: 30, reactivated: 0, unchanged: 70, skipped: 0 } })];
    const before = connector.calls.length;
    await fetch(`${base}/api/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-notify-secret': secret },
      body: JSON.stringify({ kind: 'approval_needed', organizationId: 'org-1', tenantId, run: api.runs[0]!, wouldDeactivate: 30, activeEmployees: 100 } satisfies BotNotification),
    });
    const cards = connector.calls.slice(before).filter((c) => c.kind === 'post');
    expect(cards).toHaveLength(2);
    const ownerCard = cards.find((c) => c.conversationId === `a:personal-${owner.aadObjectId}`)!;
    expect(cardOf(ownerCard)).toMatchObject({ refresh: { userIds: [`29:${owner.aadObjectId}`] } });

    const res = await post(cardActionInvoke('approveRun', { runId: 'held-9' }, owner, { replyToId: 'message-approval', serviceUrl: connector.url }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { statusCode: number; type: string; value: unknown };
    expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(body.value)).toContain('Sync approved by Ann Owner');
    const rewritten = await connector.waitFor((c) => c.kind === 'update' && c.activityId === 'message-approval', 'the approval card rewritten for everyone');
    expect(cardText(cardOf(rewritten))).toContain('Sync approved by Ann Owner');
    expect(api.runs[0]!.status).toBe('succeeded');
  });

  it('refuses a notification with a wrong secret, and sends nothing', async () => {
    const before = connector.calls.length;
    const res = await fetch(`${base}/api/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-notify-secret': 'guess' },
      body: JSON.stringify({ kind: 'sync_finished', organizationId: 'org-1', tenantId, run: makeRun() }),
    });
    expect(res.status).toBe(401);
    expect(connector.calls.length).toBe(before);
  });
});
