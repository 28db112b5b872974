/**
 * Every import of botbuilder and @microsoft/teamsfx lives in this folder. Both are past
 * their support dates (the Microsoft 365 Agents SDK replaces them): the commands, cards
 * and notifications use the bot's own interfaces (`chat/chat.ts`), so a move rewrites
 * this folder only.
 */
import { AdaptiveCardResponse, BotBuilderCloudAdapter, InvokeResponseFactory, type TeamsFxAdaptiveCardActionHandler } from '@microsoft/teamsfx';
import {
  ActivityTypes,
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  INVOKE_RESPONSE_KEY,
  MessageFactory,
  TurnContext,
  type Activity,
  type ConversationReference,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import type { Logger } from '@users-sync/api/service';
import type { CardAction, CardActionResult, ChatPerson, ChatScope, ChatTurn, ConversationReferenceJson, InstallationEvent, Messenger, OutgoingMessage } from '../chat/chat';

export interface TeamsBotSettings {
  botId: string | undefined;
  botPassword: string | undefined;
  /** Single-tenant registrations name their tenant; multi-tenant ones leave it empty. */
  botTenantId: string | undefined;
  /**
   * Where the Bot Connector's signing keys are published (its OpenID metadata). Only
   * tests change it, to sign activities with keys of their own.
   */
  openIdMetadataUrl?: string;
  logger: Logger;
}

export interface TeamsBotHandlers {
  onMessage(turn: ChatTurn): Promise<void>;
  onInstallation(event: InstallationEvent): Promise<void>;
  onCardAction(action: CardAction): Promise<CardActionResult>;
  /** The verbs `onCardAction` answers (Action.Execute `verb`). */
  cardVerbs: readonly string[];
}

const toActivity = (message: OutgoingMessage): Partial<Activity> =>
  'card' in message ? MessageFactory.attachment(CardFactory.adaptiveCard(message.card)) : MessageFactory.text(message.text);

/** The tenant and person of a Teams activity; activities without them (not from Teams) cannot act for anyone. */
function personOf(activity: Activity): ChatPerson | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const tenantId = typeof channelData?.tenant?.id === 'string' ? channelData.tenant.id : activity.conversation?.tenantId;
  const aadObjectId = activity.from?.aadObjectId;
  if (!tenantId || !aadObjectId) return undefined;
  return { tenantId: tenantId.toLowerCase(), aadObjectId, name: activity.from.name ?? '', teamsUserId: activity.from.id };
}

/** Where the activity happened; an activity that does not say is not taken for a private chat (commands that answer only there then refuse). */
function scopeOf(activity: Activity): ChatScope {
  const type = activity.conversation?.conversationType;
  return type === 'personal' ? 'personal' : type === 'channel' ? 'team' : 'groupChat';
}

const teamIdOf = (activity: Activity): string | undefined => (activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;

/**
 * What the bot does with each Teams activity, apart from any adapter: messages and
 * installations go to our handlers, card actions to teamsfx's card-action handlers.
 */
export function createTeamsTurns(handlers: TeamsBotHandlers) {
  const cardActions: TeamsFxAdaptiveCardActionHandler[] = handlers.cardVerbs.map((verb) => ({
    triggerVerb: verb,
    // A click writes the outcome into the card for everyone; a refresh answers the viewer only.
    adaptiveCardResponse: verb.startsWith('refresh') ? AdaptiveCardResponse.ReplaceForInteractor : AdaptiveCardResponse.ReplaceForAll,
    async handleActionInvoked(context: TurnContext, actionData: unknown) {
      const person = personOf(context.activity);
      if (!person) return InvokeResponseFactory.textMessage('I can only act for people signed in to Teams with a work account.');
      const data = actionData && typeof actionData === 'object' ? (actionData as Record<string, unknown>) : {};
      const result = await handlers.onCardAction({ verb, data, person });
      return 'card' in result ? InvokeResponseFactory.adaptiveCard(result.card) : InvokeResponseFactory.textMessage(result.message);
    },
  }));

  // Without the activity's id: what is sent later is a new message, not a reply threaded under this one.
  const referenceOf = (activity: Activity): ConversationReferenceJson => {
    const { activityId: _activityId, ...reference } = TurnContext.getConversationReference(activity);
    return { ...reference };
  };
  const reply = (context: TurnContext) => async (message: OutgoingMessage) => ({ id: (await context.sendActivity(toActivity(message)))?.id ?? '' });

  async function onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const person = personOf(activity);
    if (activity.type === ActivityTypes.Message) {
      if (!person) {
        await context.sendActivity('I can only help people signed in to Teams with a work account.');
        return;
      }
      const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '').trim();
      await handlers.onMessage({ person, scope: scopeOf(activity), text, reference: referenceOf(activity), reply: reply(context) });
      return;
    }
    if (activity.type === ActivityTypes.InstallationUpdate && person) {
      // installationUpdate: "add" or "remove", and their "-upgrade" variants when the app is updated.
      const action = String(activity.action ?? '').startsWith('remove') ? 'remove' : 'add';
      const scope = scopeOf(activity);
      const targetId = scope === 'team' ? (teamIdOf(activity) ?? activity.conversation.id) : person.aadObjectId;
      await handlers.onInstallation({ action, scope, tenantId: person.tenantId, targetId, person, reference: referenceOf(activity), reply: reply(context) });
      return;
    }
    if (activity.type === ActivityTypes.Invoke && !context.turnState.get(INVOKE_RESPONSE_KEY)) {
      // An invoke nothing above answered (an unknown verb): say so, rather than let Teams wait.
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 501 } });
    }
  }

  return { onTurn, cardActions };
}

/**
 * The public Azure Bot Service settings, with the Bot Connector's signing keys read from
 * elsewhere. botbuilder takes any one of these as "configure everything yourself", so
 * all are named: the values are botframework-connector's AuthenticationConstants.
 */
function publicCloudWithKeysAt(openIdMetadataUrl: string, tenantId: string | undefined) {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: `https://login.microsoftonline.com/${tenantId ?? 'botframework.com'}`,
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    CallerId: 'urn:botframework:azure',
  };
}

/**
 * The Teams bot: botbuilder's CloudAdapter (Bot Framework authentication when the bot
 * has credentials) and teamsfx's ConversationBot for Universal Actions (its card-action
 * handlers answer `adaptiveCard/action` invokes and write the new card back for
 * everyone). Two parts of ConversationBot fight the design and are written on botbuilder
 * directly: its command handlers match regular expressions (our commands forgive typos,
 * see commands/command-parser.ts), and its notification installations keep conversation
 * references in a local file (ours live in the api's database: the bot holds no state).
 */
export function createTeamsBot(settings: TeamsBotSettings, handlers: TeamsBotHandlers) {
  const { logger } = settings;
  const botAppId = settings.botId ?? '';
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: settings.botId,
    MicrosoftAppPassword: settings.botPassword,
    MicrosoftAppType: settings.botTenantId ? 'SingleTenant' : 'MultiTenant',
    MicrosoftAppTenantId: settings.botTenantId,
    ...(settings.openIdMetadataUrl ? publicCloudWithKeysAt(settings.openIdMetadataUrl, settings.botTenantId) : {}),
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, activityType: context.activity.type }, 'the bot could not handle an activity');
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity('Something went wrong on my side. Try again in a minute; if it keeps failing, open Users Sync in its tab.').catch(() => undefined);
    }
  };
  const { onTurn, cardActions } = createTeamsTurns(handlers);
  const conversationBot = new BotBuilderCloudAdapter.ConversationBot({ adapter, cardAction: { enabled: true, actions: cardActions } });

  const messenger: Messenger = {
    async send(reference, message) {
      let id = '';
      await adapter.continueConversationAsync(botAppId, reference as Partial<ConversationReference>, async (context) => {
        id = (await context.sendActivity(toActivity(message)))?.id ?? '';
      });
      return { id };
    },
    async update(reference, messageId, message) {
      await adapter.continueConversationAsync(botAppId, reference as Partial<ConversationReference>, async (context) => {
        await context.updateActivity({ ...toActivity(message), id: messageId, type: ActivityTypes.Message });
      });
    },
    // A 1:1 chat by Entra object id works in the personal scope once the app is installed for
    // the person (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages).
    async startPersonalChat(target, message) {
      let id = '';
      await adapter.createConversationAsync(
        botAppId,
        'msteams',
        target.serviceUrl,
        'https://api.botframework.com',
        { isGroup: false, bot: { id: botAppId, name: 'Users Sync' }, members: [{ id: target.aadObjectId, name: '' }], tenantId: target.tenantId, channelData: { tenant: { id: target.tenantId } } },
        async (context) => {
          id = (await context.sendActivity(toActivity(message)))?.id ?? '';
        },
      );
      return { id };
    },
  };

  return {
    messenger,
    /** `POST /api/messages`: the Bot Connector's activities, authenticated by the adapter. */
    handle: (req: BotRequest, res: BotResponse) => conversationBot.requestHandler(req, res, onTurn),
  };
}

export type TeamsBot = ReturnType<typeof createTeamsBot>;
