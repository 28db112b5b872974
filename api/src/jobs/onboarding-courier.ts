import { NOTIFY_SECRET_HEADER, onboardingInstructionsDeliverySchema, type OnboardingInstructions } from '../contract';
import { hasAppCredentials, type GraphConnection, type GraphReaderFactory } from '../graph';
import { findPeople } from '../graph/directory-lookup';
import type { OnboardingLinkCourier, OnboardingLinkParcel } from '../http/onboarding/onboarding-links';
import type { Logger } from '../service';
import type { Store } from '../store';

export interface OnboardingCourierSettings {
  store: Store;
  graphFor: GraphReaderFactory;
  microsoftApp: GraphConnection;
  botUrl: string;
  notifySecret: string | undefined;
  logger: Logger;
  timeoutMs?: number;
}

type Outcome = { delivered: boolean; reason: string | null };
const COPY = 'Copy the link and send it yourself.';

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
      return { delivered: false, reason: `Users Sync is not connected to Microsoft 365 yet, so it cannot find ${parcel.email} in Teams. ${COPY}` };
    }
    const people = await findPeople(settings.graphFor(connection.tenantId), email);
    const person = people.find((p) => p.mail?.toLowerCase() === email || p.userPrincipalName?.toLowerCase() === email);
    if (!person) return { delivered: false, reason: `${parcel.email} is not a person of your Microsoft 365 organization, so the bot cannot write to them in Teams. ${COPY}` };
    if (person.accountEnabled === false) return { delivered: false, reason: `${parcel.email}'s Microsoft 365 account is disabled. ${COPY}` };
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
      return { delivered: false, reason: `The Users Sync bot could not send the instructions (it answered ${res.status}). ${COPY}` };
    }
    const answer = onboardingInstructionsDeliverySchema.safeParse(await res.json().catch(() => undefined));
    if (!answer.success) return { delivered: false, reason: `The Users Sync bot gave an answer this version does not understand. ${COPY}` };
    return answer.data;
  }

  return {
    async deliver(parcel) {
      if (!settings.notifySecret) return { delivered: false, reason: `Users Sync's bot is not set up here (no NOTIFY_SECRET), so it cannot send messages in Teams. ${COPY}` };
      if (!parcel.tenantId) return { delivered: false, reason: `Your organization is not linked to a Microsoft 365 organization yet, so the bot cannot find ${parcel.email} in Teams. ${COPY}` };
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
        return { delivered: false, reason: `Users Sync could not reach ${parcel.email} in Teams just now. ${COPY}` };
      }
    },
  };
}
