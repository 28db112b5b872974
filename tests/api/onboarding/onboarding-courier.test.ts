import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiHarness } from '../http/api-harness';

type Link = { id: string; email: string; delivery: { status: string; reason: string | null } };
type Instructions = { tenantId: string; recipientObjectId: string; recipientEmail: string; url: string; sharedBy: { email: string } };

const secret = 'shared-by-the-api-and-the-bot';

/**
 * The api hands a new link to the bot at `POST {BOT_URL}/api/onboarding-instructions`:
 * here a bot on loopback that records what it was asked and answers as told.
 */
class RecordingBot {
  readonly received: Array<{ secret: string | undefined; body: Instructions }> = [];
  answer: { status: number; body: unknown } = { status: 200, body: { delivered: true, reason: null } };
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<RecordingBot> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bot.received.push({ secret: req.headers['x-notify-secret'] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Instructions });
        res.writeHead(bot.answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(bot.answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const bot = new RecordingBot(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return bot;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('Share Onboarding Link: the api asks the bot to deliver the instructions in Teams', () => {
  let api: ApiHarness;
  let bot: RecordingBot;
  let ownerToken: string;
  const create = (email: string) => api.call<{ link: Link; url: string }>('POST', '/api/onboarding/links', { token: ownerToken, body: { email } });

  beforeAll(async () => {
    bot = await RecordingBot.start();
    api = await ApiHarness.start({ changeNotifications: false, botUrl: bot.url, notifySecret: secret });
    ownerToken = await api.tokenFor(api.adminUpn);
  });
  afterAll(async () => {
    await api.stop();
    await bot.close();
  });
  beforeEach(() => {
    bot.received.length = 0;
    bot.answer = { status: 200, body: { delivered: true, reason: null } };
  });

  it('reaches someone who already signed in to Users Sync, before Microsoft 365 is connected, by their Entra object id', async () => {
    const created = await create(api.adminUpn);
    expect(created.status).toBe(201);
    expect(created.body.link.delivery).toMatchObject({ status: 'delivered', reason: null });
    expect(bot.received).toEqual([
      {
        secret,
        body: expect.objectContaining({ tenantId: api.tenant.tenantId, recipientObjectId: api.tenant.admin!.id, recipientEmail: api.adminUpn.toLowerCase(), url: created.body.url }),
      },
    ]);
  });

  it('says to copy the link when it cannot look the person up because Microsoft 365 is not connected yet', async () => {
    const created = await create(`someone.else@${api.tenant.defaultDomain}`);
    expect(created.body.link.delivery.status).toBe('not_delivered');
    expect(created.body.link.delivery.reason).toContain('not connected to Microsoft 365 yet');
    expect(created.body.link.delivery.reason).toContain('Copy the link');
    expect(bot.received).toEqual([]);
  });

  describe('once Microsoft 365 is connected', () => {
    beforeAll(async () => {
      await api.consent(ownerToken, api.adminUpn);
    });

    it('finds the Microsoft admin in Graph by address and passes the bot their object id', async () => {
      const person = await api.emulator.control.createUser(api.tenant.tenantId, { displayName: 'Grace Global', userPrincipalName: `grace@${api.tenant.defaultDomain}`, mail: `grace.global@${api.tenant.defaultDomain}` });
      const created = await create(person.mail!);
      expect(created.body.link.delivery.status).toBe('delivered');
      expect(bot.received.map((r) => r.body.recipientObjectId)).toEqual([person.id]);
    });

    it('says the address is not a person of the organization, without asking the bot', async () => {
      const created = await create('consultant@fabrikam.example');
      expect(created.body.link.delivery).toMatchObject({ status: 'not_delivered' });
      expect(created.body.link.delivery.reason).toContain('consultant@fabrikam.example is not a person of your Microsoft 365 organization');
      expect(bot.received).toEqual([]);
    });

    it('records the bot’s own reason when Teams would not take the message', async () => {
      bot.answer = { status: 200, body: { delivered: false, reason: 'Users Sync is not installed for them in Teams.' } };
      const created = await create(api.adminUpn);
      expect(created.body.link.delivery).toMatchObject({ status: 'not_delivered', reason: 'Users Sync is not installed for them in Teams.' });
    });

    it('says to copy the link when the bot fails or answers outside the contract, and still makes the link', async () => {
      bot.answer = { status: 500, body: { error: 'boom' } };
      const failed = await create(api.adminUpn);
      expect(failed.status).toBe(201);
      expect(failed.body.link.delivery.reason).toContain('answered 500');
      bot.answer = { status: 200, body: { ok: true } };
      const odd = await create(api.adminUpn);
      expect(odd.body.link.delivery).toMatchObject({ status: 'not_delivered' });
      expect(odd.body.link.delivery.reason).toContain('Copy the link');
    });
  });
});
