import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  conversationId: string;
  /**
   * The activity replied to (POST …/activities/{id}) or updated (PUT …/activities/{id}).
   * botbuilder sends proactive messages as replies too, to the id of the turn it makes up.
   */
  activityId: string | undefined;
  /** A new message in the conversation (send or reply), or an update of one. */
  kind: 'post' | 'update';
  activity: { type?: string; id?: string; text?: string; attachments?: Array<{ contentType: string; content: unknown }> };
}

/**
 * The Bot Connector of Teams, on loopback: what a bot sends back (replies, proactive
 * messages, card updates) arrives here through the activity's `serviceUrl`, the Bot
 * Connector REST API paths (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference):
 * POST /v3/conversations/{id}/activities, POST …/activities/{replyToId}, PUT …/activities/{id}.
 */
export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  /** 1:1 chats the bot opened (POST /v3/conversations), with their parameters. */
  readonly created: Array<{ members: Array<{ id: string }>; tenantId?: string; isGroup?: boolean; id: string }> = [];
  /** People for whom Teams refuses to open a chat (the app is not installed for them): 403. */
  readonly notInstalledFor = new Set<string>();
  private readonly waiters: Array<() => void> = [];
  private nextId = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeBotConnector> {
    const server = http.createServer((req, res) => connector.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const connector = new FakeBotConnector(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return connector;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v3/conversations') {
        const parameters = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { members: Array<{ id: string }>; tenantId?: string; isGroup?: boolean };
        const member = parameters.members[0]?.id ?? '';
        if (this.notInstalledFor.has(member)) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'Forbidden', message: 'The bot is not part of the conversation roster.' } }));
          return;
        }
        const id = `a:created-${member}`;
        this.created.push({ ...parameters, id });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id }));
        return;
      }
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
      if (!match) {
        res.writeHead(404);
        res.end();
        return;
      }
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ConnectorCall['activity'];
      const activityId = match[2] ? decodeURIComponent(match[2]) : undefined;
      const kind = req.method === 'PUT' ? 'update' : 'post';
      this.calls.push({ method: req.method ?? '', conversationId: decodeURIComponent(match[1]!), activityId, kind, activity });
      this.waiters.splice(0).forEach((wake) => wake());
      // Not chained: restify (loaded in the same process) patches writeHead, which then returns nothing.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: kind === 'update' ? activityId : `message-${(this.nextId += 1)}` }));
    });
  }

  /** Waits until a call matching `test` has arrived; answers it. */
  async waitFor(test: (call: ConnectorCall) => boolean, what: string, timeoutMs = 20_000): Promise<ConnectorCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`the bot never sent: ${what}; it sent ${JSON.stringify(this.calls.map((c) => [c.kind, c.activity.type]))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const cardOf = (call: ConnectorCall): Record<string, unknown> => {
  const attachment = call.activity.attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') throw new Error(`not a card: ${JSON.stringify(call.activity)}`);
  return attachment.content as Record<string, unknown>;
};
