import { BotBuilderCloudAdapter } from '@microsoft/teamsfx';
import { TestAdapter, type Activity, type CloudAdapter } from 'botbuilder';
import { createLogger } from '@users-sync/api/service';
import { createBotHandlers } from '@users-sync/bot/bot-handlers';
import type { ConversationReferenceJson, Messenger, OutgoingMessage } from '@users-sync/bot/chat/chat';
import { createTeamsTurns } from '@users-sync/bot/teams/teams-bot';
import { FakeUsersSyncApi } from './fake-users-sync-api';

export const tabUrl = 'https://teams.microsoft.com/l/entity/app-id/admin';

/** What the bot wrote outside turns: sent and updated messages, in order. */
export class RecordingMessenger implements Messenger {
  readonly sent: Array<{ reference: ConversationReferenceJson; message: OutgoingMessage; id: string }> = [];
  readonly updates: Array<{ reference: ConversationReferenceJson; id: string; message: OutgoingMessage }> = [];
  async send(reference: ConversationReferenceJson, message: OutgoingMessage) {
    const id = `proactive-${this.sent.length + 1}`;
    this.sent.push({ reference, message, id });
    return { id };
  }
  async update(reference: ConversationReferenceJson, id: string, message: OutgoingMessage) {
    this.updates.push({ reference, id, message });
  }
  readonly opened: Array<{ target: { tenantId: string; aadObjectId: string; serviceUrl: string }; message: OutgoingMessage }> = [];
  async startPersonalChat(target: { tenantId: string; aadObjectId: string; serviceUrl: string }, message: OutgoingMessage) {
    this.opened.push({ target, message });
    return { id: `opened-${this.opened.length}` };
  }
}

/**
 * The bot's Teams turns on botbuilder's TestAdapter, with teamsfx's card-action handlers
 * in front as in production, a fake api and a recording messenger.
 */
export class TeamsTestChat {
  readonly api = new FakeUsersSyncApi();
  readonly messenger = new RecordingMessenger();
  readonly handlers;
  readonly adapter: TestAdapter;

  constructor() {
    this.handlers = createBotHandlers({
      api: this.api,
      messenger: this.messenger,
      tabUrl,
      runWatch: { intervalMs: 1, giveUpAfterMs: 60_000 },
      logger: createLogger({ service: 'bot', level: 'silent', pretty: false }),
    });
    const turns = createTeamsTurns(this.handlers.turns);
    this.adapter = new TestAdapter(turns.onTurn);
    // teamsfx's card-action bot plugs its middleware into the adapter it is given, as ConversationBot does.
    new BotBuilderCloudAdapter.CardActionBot(this.adapter as unknown as CloudAdapter, { actions: turns.cardActions });
  }

  /** Sends one activity; answers what the bot sent back during that turn. */
  async send(activity: Partial<Activity>): Promise<Array<Partial<Activity>>> {
    const before = this.adapter.activeQueue.length;
    await this.adapter.processActivity(activity);
    return this.adapter.activeQueue.slice(before);
  }

  /** The card of the only reply, as Teams would receive it. */
  static card(activity: Partial<Activity> | undefined): Record<string, unknown> {
    const attachment = activity?.attachments?.[0];
    if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') throw new Error(`not a card: ${JSON.stringify(activity)}`);
    return attachment.content as Record<string, unknown>;
  }
}
