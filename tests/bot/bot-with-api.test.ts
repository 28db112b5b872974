import type { Activity } from 'botbuilder';
import { close, createLogger, listen } from '@users-sync/api/service';
import { createBotApp, type BotApp } from '@users-sync/bot/app';
import { loadBotConfig } from '@users-sync/bot/config';
import { ApiHarness, eventually } from '../api/http/api-harness';
import { freePort } from '../support/free-port';
import { cardActions, cardProblems, cardText } from './support/card-check';
import { cardOf, FakeBotConnector } from './support/fake-bot-connector';
import { cardActionInvoke, installationUpdate, teamsMessage } from './support/teams-activities';

const secret = 'api-and-bot-share-this-secret';
type Run = { id: string; status: string };

/**
 * The bot and the api together, as `npm start` runs them (the api on the emulator), with
 * Teams played by Teams-shaped activities and a Bot Connector on loopback.
 */
describe('the bot with the api: from a chat to the run’s state', () => {
  let api: ApiHarness;
  let bot: BotApp;
  let connector: FakeBotConnector;
  let botBase: string;
  let token: string;
  let ownerInChat: { aadObjectId: string; name: string; tenant: string };

  beforeAll(async () => {
    connector = await FakeBotConnector.start();
    const botPort = await freePort();
    api = await ApiHarness.start({ tenant: { users: 40, groups: 3, seed: 31, disabledShare: 0.1, guestShare: 0.05, noMailboxShare: 0.05 }, botUrl: `http://127.0.0.1:${botPort}`, notifySecret: secret, changeNotifications: false });
    const config = loadBotConfig({ NOTIFY_SECRET: secret, API_URL: api.baseUrl, BOT_RUN_POLL_MS: '50' });
    bot = createBotApp(config, createLogger({ service: 'bot', level: 'silent', pretty: false }), '0.0.0');
    botBase = `http://127.0.0.1:${await listen(bot.server, botPort, '127.0.0.1', 'BOT_PORT')}`;
    token = await api.tokenFor(api.adminUpn);
    expect((await api.call('GET', '/api/me', { token })).status).toBe(200);
    await api.consent(token, api.adminUpn);
    ownerInChat = { aadObjectId: api.tenant.admin!.id, name: 'Tenant Admin', tenant: api.tenant.tenantId };
  });
  afterAll(async () => {
    await bot.handlers.commands.idle();
    await close(bot.server);
    await api.stop();
    await connector.close();
  });

  const post = async (activity: Partial<Activity>) => {
    const res = await fetch(`${botBase}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    expect(res.status).toBe(200);
    const text = await res.text();
    return text ? (JSON.parse(text) as { statusCode: number; type: string; value: unknown }) : undefined;
  };

  it('keeps the installation in the api’s database and welcomes the owner', async () => {
    const install = installationUpdate('add', ownerInChat, { serviceUrl: connector.url });
    await post(install);
    const welcome = await connector.waitFor((c) => c.activityId === install.id, 'the welcome card');
    expect(cardText(cardOf(welcome))).toContain('Your organization already uses Users Sync');
    const stored = await api.app.services.store.botConversations.find(api.tenant.tenantId, 'personal', ownerInChat.aadObjectId);
    expect(stored?.reference).toMatchObject({ serviceUrl: connector.url, conversation: { id: `a:personal-${ownerInChat.aadObjectId}` } });
  });

  it('runs "sync now" for the owner, keeps the card up to date until the end, and reports the run', async () => {
    const message = teamsMessage('sync now', ownerInChat, { serviceUrl: connector.url });
    await post(message);
    const first = await connector.waitFor((c) => c.activityId === message.id, 'the sync card');
    expect(cardText(cardOf(first))).toMatch(/Sync in progress|Sync succeeded/);
    const done = await connector.waitFor((c) => c.kind === 'update' && cardText(cardOf(c)).includes('Sync succeeded'), 'the card of the finished sync', 60_000);
    expect(cardProblems(cardOf(done))).toEqual([]);
    const runs = (await api.call<{ runs: Array<Run & { counts: { created: number } }> }>('GET', '/api/sync/runs', { token })).body.runs;
    expect(runs[0]!.status).toBe('succeeded');
    expect(cardText(cardOf(done))).toContain(`${runs[0]!.counts.created} created`);
    const report = await connector.waitFor((c) => c.kind === 'post' && cardText(cardOf(c)).includes('Sync report'), 'the sync report');
    expect(report.conversationId).toBe(`a:personal-${ownerInChat.aadObjectId}`);
  });

  it('sends the approval card when a run is held, and the owner’s Approve applies it in the api', async () => {
    const group = await api.emulator.control.createGroup(api.tenant.tenantId, { displayName: 'Bot pilot group' });
    await api.emulator.control.addMembers(api.tenant.tenantId, group.id, [api.adminUpn]);
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'groups', groupIds: [group.id] } } });
    const held = await api.settledRun<Run>(token, saved.body.run.id);
    expect(held.status).toBe('awaiting_approval');

    const card = await connector.waitFor((c) => c.kind === 'post' && cardText(cardOf(c)).includes('A sync is waiting for your approval'), 'the approval card');
    expect(cardProblems(cardOf(card))).toEqual([]);
    const approve = cardActions(cardOf(card)).find((a) => a.title === 'Approve')!;
    expect(approve).toMatchObject({ type: 'Action.Execute', verb: 'approveRun', data: { runId: held.id } });

    const messageId = `message-${connector.calls.indexOf(card) + 1}`;
    const answer = await post(cardActionInvoke(approve.verb!, approve.data as Record<string, unknown>, ownerInChat, { replyToId: messageId, serviceUrl: connector.url }));
    expect(answer).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(answer!.value)).toContain('Sync approved by Tenant Admin');
    await connector.waitFor((c) => c.kind === 'update' && c.activityId === messageId, 'the approval card rewritten for everyone');

    const after = (await api.call<Run>('GET', `/api/sync/runs/${held.id}`, { token })).body;
    expect(after.status).toBe('succeeded');
    expect((await api.call<{ total: number }>('GET', '/api/employees?status=active', { token })).body.total).toBe(1);

    const second = await post(cardActionInvoke('approveRun', { runId: held.id }, ownerInChat, { replyToId: messageId, serviceUrl: connector.url }));
    expect(cardText(second!.value)).toContain('This sync was already approved; nothing more to decide.');
  });

  it('answers "why" from Graph and the scope, as "Someone missing?" does in the tab', async () => {
    const inScope = teamsMessage(`why ${api.adminUpn}`, ownerInChat, { serviceUrl: connector.url });
    await post(inScope);
    const synced = cardText(cardOf(await connector.waitFor((c) => c.activityId === inScope.id, 'the answer about the admin')));
    expect(synced).toContain('In the directory');
    expect(synced).toContain('Bot pilot group');

    const outsider = await api.emulator.control.createUser(api.tenant.tenantId, { displayName: 'Olga Outside', userPrincipalName: `olga@${api.tenant.defaultDomain}`, mail: `olga@${api.tenant.defaultDomain}` });
    const outside = teamsMessage(`why ${outsider.mail}`, ownerInChat, { serviceUrl: connector.url });
    await post(outside);
    const answer = cardOf(await connector.waitFor((c) => c.activityId === outside.id, 'the answer about someone outside the scope'));
    expect(cardProblems(answer)).toEqual([]);
    expect(cardText(answer)).toContain('Outside the synchronized users');
    expect(cardText(answer)).toContain('Olga Outside');
  });

  it('shares an onboarding link with "link": the api finds the Microsoft admin in Graph and the bot sends them the instructions in Teams', async () => {
    const helper = await api.emulator.control.createUser(api.tenant.tenantId, { displayName: 'Ivy IT', userPrincipalName: `ivy.it@${api.tenant.defaultDomain}`, mail: `ivy.it@${api.tenant.defaultDomain}` });
    const message = teamsMessage(`link ${helper.mail}`, ownerInChat, { serviceUrl: connector.url });
    await post(message);
    const reply = cardOf(await connector.waitFor((c) => c.activityId === message.id, 'the link card'));
    expect(cardProblems(reply)).toEqual([]);
    expect(cardText(reply)).toContain(`Sent to ${helper.mail!.toLowerCase()} in Teams`);
    const url = (reply.body as Array<{ type: string; value?: string }>).find((element) => element.type === 'Input.Text')?.value;
    expect(url).toMatch(/\/onboarding#[\w-]{40,}$/);

    const chat = connector.created.find((c) => c.members.some((m) => m.id.includes(helper.id)));
    expect(chat).toBeDefined();
    const instructions = await connector.waitFor((c) => c.conversationId === chat!.id && c.kind === 'post', 'the instructions to the Microsoft admin');
    expect(cardText(cardOf(instructions))).toContain('You are asked to connect Microsoft 365 to Users Sync');
    expect(cardActions(cardOf(instructions))).toEqual([expect.objectContaining({ type: 'Action.OpenUrl', url })]);

    const links = (await api.call<{ links: Array<{ email: string; delivery: { status: string } }> }>('GET', '/api/onboarding/links', { token })).body.links;
    expect(links.find((l) => l.email === helper.mail!.toLowerCase())?.delivery.status).toBe('delivered');
  });

  it('says to copy the link when the address is not a person of the tenant', async () => {
    const message = teamsMessage('link consultant@fabrikam.example', ownerInChat, { serviceUrl: connector.url });
    await post(message);
    const text = cardText(cardOf(await connector.waitFor((c) => c.activityId === message.id, 'the link card')));
    expect(text).toContain('copy it and send it yourself');
    expect(text).toContain('consultant@fabrikam.example is not a person of your Microsoft 365 organization');
    const links = (await api.call<{ links: Array<{ email: string; delivery: { status: string; reason: string } }> }>('GET', '/api/onboarding/links', { token })).body.links;
    expect(links.find((l) => l.email === 'consultant@fabrikam.example')?.delivery).toMatchObject({ status: 'not_delivered' });
  });

  it('refuses a colleague who is not a Users Sync admin, naming the owner', async () => {
    const colleague = await api.emulator.control.createUser(api.tenant.tenantId, { displayName: 'Curious Colleague', userPrincipalName: `curious@${api.tenant.defaultDomain}`, mail: `curious@${api.tenant.defaultDomain}` });
    const message = teamsMessage('sync now', { aadObjectId: colleague.id, name: 'Curious Colleague', tenant: api.tenant.tenantId }, { serviceUrl: connector.url });
    await post(message);
    const reply = await connector.waitFor((c) => c.activityId === message.id, 'the refusal');
    expect(cardText(cardOf(reply))).toContain('Sorry, I can only help Users Sync admins');
    expect(cardText(cardOf(reply))).toContain(api.adminUpn);
    const runs = await eventually(async () => (await api.call<{ runs: Run[] }>('GET', '/api/sync/runs', { token })).body.runs, 'runs listed');
    expect(runs.every((r) => r.status !== 'queued' && r.status !== 'running')).toBe(true);
  });
});
