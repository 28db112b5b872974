/**
 * The bot's own small view of a chat, so commands, cards and notifications never see
 * botbuilder or teamsfx (those live in `teams/` alone; a move to the Microsoft 365
 * Agents SDK rewrites that folder and nothing else).
 */

/** An Adaptive Card, as JSON. */
export type AdaptiveCardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

export type OutgoingMessage = { card: AdaptiveCardJson } | { text: string };

/** Where a chat takes place: a person's chat with the bot, or a team (@mention in a channel). */
export type ChatScope = 'personal' | 'team' | 'groupChat';

/** Someone in chat, as a Bot-Framework-verified activity names them. */
export interface ChatPerson {
  tenantId: string;
  aadObjectId: string;
  name: string;
  /** The Teams user id (`29:…`), which a card's `refresh.userIds` names. */
  teamsUserId: string;
}

/**
 * A serialized Bot Framework conversation reference: what lets the bot write to a chat
 * later (kept by the api; opaque everywhere outside `teams/`).
 */
export type ConversationReferenceJson = Record<string, unknown>;

/** One message turn: what was said, by whom, and how to answer. */
export interface ChatTurn {
  person: ChatPerson;
  scope: ChatScope;
  /** The text, without the @mention of the bot. */
  text: string;
  /** How to reach this chat again after the turn (updating a card as a sync runs). */
  reference: ConversationReferenceJson;
  reply(message: OutgoingMessage): Promise<{ id: string }>;
}

/** Writing to chats outside a turn: sync reports, approvals, progress updates. */
export interface Messenger {
  send(reference: ConversationReferenceJson, message: OutgoingMessage): Promise<{ id: string }>;
  update(reference: ConversationReferenceJson, messageId: string, message: OutgoingMessage): Promise<void>;
  /**
   * Opens a 1:1 chat with a person who never wrote to the bot (their Entra object id, in
   * their tenant, through the tenant's Bot Connector address) and sends the message. Teams
   * refuses when the app is not installed for that person: that rejects.
   */
  startPersonalChat(target: { tenantId: string; aadObjectId: string; serviceUrl: string }, message: OutgoingMessage): Promise<{ id: string }>;
}

/** The bot was added to, or removed from, a personal chat or a team. */
export interface InstallationEvent {
  action: 'add' | 'remove';
  scope: ChatScope;
  tenantId: string;
  /** The person (personal) or the team's id (team). */
  targetId: string;
  person: ChatPerson;
  reference: ConversationReferenceJson;
  reply(message: OutgoingMessage): Promise<{ id: string }>;
}

/** An `Action.Execute` from a card (a click, or Teams asking for a refresh). */
export interface CardAction {
  verb: string;
  data: Record<string, unknown>;
  person: ChatPerson;
}

/** What a card action answers: the card that replaces it, or a short message to the person who clicked. */
export type CardActionResult = { card: AdaptiveCardJson } | { message: string };
