import { NOTIFY_SECRET_HEADER, onboardingInstructionsDeliverySchema, type OnboardingInstructions } from '../contract';
import { hasAppCredentials, type GraphConnection, type GraphReaderFactory } from '../graph';
import { findPeople } from '../graph/directory-lookup';
import type { Logger } from '../service';
import type { Store } from '../store';

/** What the bot is told when a link is made, to deliver it in Teams. */
export interface OnboardingLinkParcel {
  organizationId: string;
  organizationName: string;
  tenantId: string | null;
  linkId: string;
  email: string;
  url: string;
  expiresAt: string;
  sharedBy: { name: string; email: string };
}

/**
 * Delivers a new link in Teams (the bot does). Answers whether it reached the person; it
 * may also answer later through `recordDelivery`. Without one, the dialog says to copy the link.
 */
export interface OnboardingLinkCourier {
  deliver(parcel: OnboardingLinkParcel): Promise<{ delivered: boolean; reason: string | null }>;
}

export interface OnboardingCourierSettings {
  store: Store;
  graphFor: GraphReaderFactory;
  microsoftApp: GraphConnection;
  botUrl: string;
  notifySecret: string | undefined;
  logger: Logger;
  timeoutMs?: number;
}

/** `reason` says why it did not reach them; the tab and the bot say what to do (copy the link). */
type Outcome = { delivered: boolean; reason: string | null };

/**
 * Hands a new onboarding link to the bot (`POST {BOT_URL}/api/onboarding-instructions`),
 * which writes to the Microsoft admin in Teams. The bot needs the person's Entra object id
 * in the organization's tenant: someone who already signed in to Users Sync is known; anyone
 * else is looked up in Graph by address ("List users" with
 * `$filter=mail eq '…' or userPrincipalName eq '…'`, learn.microsoft.com/graph/api/user-list),
 * which needs the organization's admin consent. Before consent, and for addresses outside
 * the tenant, the answer says why and the tab says to copy the link.
 */
export function createOnboardingCourier(settings: OnboardingCourierSettings): OnboardingLinkCourier {
  const { store, logger } = settings;

  async function recipientOf(parcel: OnboardingLinkParcel & { tenantId: string }): Promise<{ objectId: string } | Outcome> {
    const email = parcel.email.toLowerCase();
    const member = (await store.members.list(parcel.organizationId)).find((m) => !m.invited && m.email.toLowerCase() === email);
    if (member) return { objectId: member.userObjectId };

    const connection = await store.connections.get(parcel.organizationId);
    if (connection?.consentState !== 'granted' || !hasAppCredentials(settings.microsoftApp)) {
      return { delivered: false, reason: `Users Sync is not connected to Microsoft 365 yet, so it cannot find ${parcel.email} in Teams.` };
    }
    const people = await findPeople(settings.graphFor(connection.tenantId), email);
    const person = people.find((p) => p.mail?.toLowerCase() === email || p.userPrincipalName?.toLowerCase() === email);
    if (!person) return { delivered: false, reason: `${parcel.email} is not a person of your Microsoft 365 organization, so the bot cannot write to them in Teams.` };
    if (person.accountEnabled === false) return { delivered: false, reason: `${parcel.email}'s Microsoft 365 account is disabled.` };
    return { objectId: person.id };
  }

  async function askBot(instructions: OnboardingInstructions): Promise<Outcome> {
    const res = await fetch(`${settings.botUrl}/api/onboarding-instructions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [NOTIFY_SECRET_HEADER]: settings.notifySecret ?? '' },
      body: JSON.stringify(instructions),
      signal: AbortSignal.timeout(settings.timeoutMs ?? 4000),
    });
    if (!res.ok) {
      logger.warn({ status: res.status }, 'the bot refused onboarding instructions');
      return { delivered: false, reason: `The Users Sync bot could not send the instructions (it answered ${res.status}).` };
    }
    const answer = onboardingInstructionsDeliverySchema.safeParse(await res.json().catch(() => undefined));
    if (!answer.success) return { delivered: false, reason: `The Users Sync bot gave an answer this version does not understand.` };
    return answer.data;
  }

  return {
    async deliver(parcel) {
      if (!settings.notifySecret) return { delivered: false, reason: `Users Sync's bot is not set up here (no NOTIFY_SECRET), so it cannot send messages in Teams.` };
      if (!parcel.tenantId) return { delivered: false, reason: `Your organization is not linked to a Microsoft 365 organization yet, so the bot cannot find ${parcel.email} in Teams.` };
      try {
        const recipient = await recipientOf({ ...parcel, tenantId: parcel.tenantId });
        if (!('objectId' in recipient)) return recipient;
        return await askBot({
          tenantId: parcel.tenantId,
          recipientObjectId: recipient.objectId,
          recipientEmail: parcel.email,
          organizationName: parcel.organizationName,
          sharedBy: parcel.sharedBy,
          url: parcel.url,
          expiresAt: parcel.expiresAt,
        });
      } catch (error) {
        logger.warn({ err: error, linkId: parcel.linkId }, 'onboarding link not delivered in Teams');
        return { delivered: false, reason: `Users Sync could not reach ${parcel.email} in Teams just now.` };
      }
    },
  };
}
