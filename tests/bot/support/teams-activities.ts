import type { Activity } from 'botbuilder';
import { tenantId } from './fake-users-sync-api';

export const botAccount = { id: '28:users-sync-bot', name: 'Users Sync' };

export interface Sender {
  aadObjectId: string;
  name: string;
  tenant?: string;
}

let next = 0;
const id = () => `activity-${(next += 1)}`;

/**
 * Activities as Teams sends them (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/conversation-messages):
 * the tenant in `channelData.tenant` and `conversation.tenantId`, the person's Entra
 * object id in `from.aadObjectId`, and in a channel the bot's @mention in the text and
 * in `entities`.
 */
export function teamsMessage(text: string, sender: Sender, options: { scope?: 'personal' | 'channel'; serviceUrl?: string } = {}): Partial<Activity> {
  const tenant = sender.tenant ?? tenantId;
  const inChannel = options.scope === 'channel';
  const mention = `<at>${botAccount.name}</at>`;
  return {
    type: 'message',
    id: id(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl ?? 'https://smba.trafficmanager.net/emea/',
    from: { id: `29:${sender.aadObjectId}`, name: sender.name, aadObjectId: sender.aadObjectId },
    recipient: botAccount,
    conversation: inChannel
      ? { id: '19:general@thread.tacv2;messageid=1', conversationType: 'channel', isGroup: true, tenantId: tenant, name: 'General' }
      : { id: `a:personal-${sender.aadObjectId}`, conversationType: 'personal', isGroup: false, tenantId: tenant, name: '' },
    text: inChannel ? `${mention} ${text}` : text,
    entities: inChannel ? [{ type: 'mention', text: mention, mentioned: botAccount }] : [],
    channelData: { tenant: { id: tenant }, ...(inChannel ? { team: { id: '19:team@thread.tacv2' }, channel: { id: '19:general@thread.tacv2' } } : {}) },
    locale: 'en-US',
  } as Partial<Activity>;
}

export function installationUpdate(action: 'add' | 'remove', sender: Sender, options: { scope?: 'personal' | 'channel'; serviceUrl?: string } = {}): Partial<Activity> {
  const base = teamsMessage('', sender, options);
  return { ...base, type: 'installationUpdate', action, text: undefined, entities: undefined } as Partial<Activity>;
}

/** An `Action.Execute` click (or refresh) on a card the bot sent: the `adaptiveCard/action` invoke. */
export function cardActionInvoke(verb: string, data: Record<string, unknown>, sender: Sender, options: { replyToId?: string; trigger?: 'manual' | 'automatic'; serviceUrl?: string } = {}): Partial<Activity> {
  const base = teamsMessage('', sender, options);
  return {
    ...base,
    type: 'invoke',
    name: 'adaptiveCard/action',
    text: undefined,
    replyToId: options.replyToId ?? 'card-message-1',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: options.trigger ?? 'manual' },
  } as Partial<Activity>;
}
