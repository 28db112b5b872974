import type { Activity } from 'botbuilder';
import { close, createLogger, listen } from '@users-sync/api/service';
import type { OnboardingInstructions } from '@users-sync/api/contract';
import { createBotApp, type BotApp } from '@users-sync/bot/app';
import { loadBotConfig } from '@users-sync/bot/config';
import { cardActions, cardProblems, cardText } from './support/card-check';
import { cardOf, FakeBotConnector } from './support/fake-bot-connector';
import { FakeUsersSyncApi, owner, tenantId } from './support/fake-users-sync-api';
import { installationUpdate } from './support/teams-activities';

const secret = 'api-and-bot-share-this-secret';

describe('onboarding instructions sent to a delegated Microsoft admin in Teams', () => {
  let connector: FakeBotConnector;
  let bot: BotApp;
  let base: string;
  const api = new FakeUsersSyncApi();
  const instructions = (recipientObjectId: string, tenant = tenantId): OnboardingInstructions => ({
    tenantId: tenant,
    recipientObjectId,
    recipientEmail: 'it.admin@contoso.com',
    organizationName: 'Contoso',
    sharedBy: { name: 'Ann Owner', email: 'ann@contoso.com' },
    url: 'https://usersync.example/onboarding/secret-part',
    expiresAt: '2026-12-17T10:00:00.000Z',
  });
  const send = (body: unknown, headerSecret = secret) =>
    fetch(`${base}/api/onboarding-instructions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-notify-secret': headerSecret }, body: JSON.stringify(body) });

  beforeAll(async () => {
    connector = await FakeBotConnector.start();
    bot = createBotApp(loadBotConfig({ NOTIFY_SECRET: secret }), createLogger({ service: 'bot', level: 'silent', pretty: false }), '0.0.0', { api });
    base = `http://127.0.0.1:${await listen(bot.server, 0, '127.0.0.1', 'BOT_PORT')}`;
    // The owner installed the app: the tenant's Bot Connector address is known from then on.
    const install: Partial<Activity> = installationUpdate('add', owner, { serviceUrl: connector.url });
    await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(install) });
  });
  afterAll(async () => {
    await close(bot.server);
    await connector.close();
  });

  it('opens a 1:1 chat with the admin by their Entra object id and sends what the link does, the permissions, the validity and the button', async () => {
    const res = await send(instructions('it-admin-oid'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ delivered: true, reason: null });
    expect(connector.created).toEqual([expect.objectContaining({ isGroup: false, tenantId, members: [expect.objectContaining({ id: 'it-admin-oid' })] })]);
    const message = connector.calls.find((c) => c.conversationId === 'a:created-it-admin-oid')!;
    const card = cardOf(message);
    expect(cardProblems(card)).toEqual([]);
    expect(cardText(card)).toContain('Ann Owner asks you to set up "Sync your employees" → "Microsoft" for Contoso');
    expect(cardText(card)).toContain('GroupMember.Read.All');
    expect(cardText(card)).toContain('valid for 15 days');
    expect(cardActions(card)).toEqual([expect.objectContaining({ type: 'Action.OpenUrl', url: 'https://usersync.example/onboarding/secret-part' })]);
  });

  it('writes in the personal chat the person already has with the bot', async () => {
    const before = connector.created.length;
    expect(await (await send(instructions(owner.aadObjectId))).json()).toEqual({ delivered: true, reason: null });
    expect(connector.created.length).toBe(before);
    expect(connector.calls.some((c) => c.conversationId === `a:personal-${owner.aadObjectId}` && cardText(cardOf(c)).includes('Open the setup link'))).toBe(true);
  });

  it('answers "not delivered" with the reason when Teams refuses (the app is not installed for them)', async () => {
    connector.notInstalledFor.add('no-app-oid');
    const answer = (await (await send(instructions('no-app-oid'))).json()) as { delivered: boolean; reason: string };
    expect(answer.delivered).toBe(false);
    expect(answer.reason).toContain('not installed for them in Teams');
  });

  it('answers "not delivered" for a tenant where nobody uses the app', async () => {
    const answer = (await (await send(instructions('x', 'bbbbbbbb-0000-0000-0000-000000000000'))).json()) as { delivered: boolean; reason: string };
    expect(answer).toEqual({ delivered: false, reason: expect.stringContaining('Nobody in this organization uses the Users Sync app in Teams yet') });
  });

  it('refuses a caller without the shared secret, and malformed instructions', async () => {
    const before = connector.calls.length;
    expect((await send(instructions('it-admin-oid'), 'guess')).status).toBe(401);
    expect((await send({ ...instructions('it-admin-oid'), url: 'not a url' })).status).toBe(400);
    expect(connector.calls.length).toBe(before);
  });
});
