import type { z } from 'zod';
import { requestedPermissions, type onboardingConsoleSchema, type OnboardingLink as ContractLink, type onboardingLinkDescriptionSchema } from '../../contract';
import { onboardingConsoleMode, onboardingLinkExpiry, onboardingLinkState } from '../../domain';
import type { OnboardingLink, Store } from '../../store';
import { ApiProblem } from '../api-problem';
import type { EntraIdentity } from '../auth/entra-token';
import type { ConsolePrincipal, MemberPrincipal } from '../auth/principal';
import type { OnboardingLinkCourier } from '../../jobs/onboarding-courier';
import { ConsoleSessionError, createConsoleSessions, type ConsoleSessions } from './console-sessions';
import { hashLinkSecret, newLinkSecret, onboardingLinkUrl } from './link-secret';
import { createRedemptionGuard, type RedemptionGuard } from './redemption-guard';

const NO_COURIER_REASON = 'Users Sync cannot send messages in Teams here.';
const COURIER_TIMEOUT_MS = 5000;
/** More open links than this at once is a mistake (or a script): revoke some first. */
const MAX_OPEN_LINKS = 25;

export interface OnboardingLinksSettings {
  store: Store;
  publicUrl: string;
  sessions: ConsoleSessions;
  guard: RedemptionGuard;
  verifyEntraToken: (token: string) => Promise<EntraIdentity>;
  courier?: OnboardingLinkCourier;
}

type ConsoleView = z.input<typeof onboardingConsoleSchema>;
type Description = z.input<typeof onboardingLinkDescriptionSchema>;

/** "Share Onboarding Link": making, listing and revoking links; opening their console; confining it. */
export function createOnboardingLinks(settings: OnboardingLinksSettings) {
  const { store } = settings;

  const representation = (link: OnboardingLink): ContractLink => ({
    id: link.id,
    email: link.email,
    state: onboardingLinkState(link, store.now()),
    createdBy: { name: link.createdBy.name, email: link.createdBy.email },
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    openedAt: link.openedAt,
    signedInEmail: link.signedInEmail,
    consentedAt: link.consentedAt,
    completedAt: link.completedAt,
    revokedAt: link.revokedAt,
    revokedBy: link.revokedByName,
    delivery: link.delivery,
  });

  const contactOf = async (organizationId: string) => {
    const owner = await store.members.owner(organizationId);
    return owner ? { name: owner.name, email: owner.email } : { name: 'the account owner', email: '' };
  };
  const askText = (contact: { name: string; email: string }) => (contact.email ? `${contact.name} (${contact.email})` : contact.name);

  /** Why a link no longer opens its console, with whom to ask; null while it does. */
  const endedProblem = async (link: OnboardingLink): Promise<ApiProblem | null> => {
    const mode = onboardingConsoleMode(link, store.now());
    if (mode !== 'ended') return null;
    const ask = askText(await contactOf(link.organizationId));
    return link.revokedAt
      ? new ApiProblem(410, 'ONBOARDING_LINK_REVOKED', `This onboarding link was revoked. Ask ${ask} for a new one.`)
      : new ApiProblem(410, 'ONBOARDING_LINK_EXPIRED', `This onboarding link expired on ${link.expiresAt.slice(0, 10)}. Ask ${ask} for a new one.`);
  };

  const unknownLink = () => new ApiProblem(404, 'ONBOARDING_LINK_UNKNOWN', 'This onboarding link is not known to Users Sync: it may have been mistyped or cut. Ask the person who sent it to share it again.');

  async function consoleView(principal: ConsolePrincipal): Promise<ConsoleView> {
    const link = (await store.onboardingLinks.get(principal.linkId))!;
    const organization = await store.organizations.get(principal.organizationId);
    const connection = await store.connections.get(principal.organizationId);
    const status = connection?.consentState === 'granted' ? 'connected' : connection?.consentState === 'revoked' ? 'consent_revoked' : 'not_connected';
    const account = principal.microsoftAccount;
    return {
      organization: { name: organization?.name ?? '', tenantId: (await store.members.tenantOf(principal.organizationId)) ?? null },
      link: { email: link.email, expiresAt: link.expiresAt, state: onboardingLinkState(link, store.now()) },
      mode: onboardingConsoleMode(link, store.now()) === 'read_only' ? 'read_only' : 'setup',
      microsoftAccount: account ? { name: account.name, email: account.email, tenantId: account.tenantId } : null,
      connection: {
        status,
        tenantId: connection?.tenantId ?? null,
        tenantName: status === 'not_connected' ? null : ((await store.members.tenantName(principal.organizationId)) ?? null),
        connectedAt: connection?.consentedAt ?? null,
        permissions: [...requestedPermissions],
      },
      runIds: [...(await store.onboardingLinks.runIds(link.id))].reverse(),
      contact: await contactOf(principal.organizationId),
    };
  }

  return {
    async list(organizationId: string): Promise<ContractLink[]> {
      return (await store.onboardingLinks.list(organizationId)).map(representation);
    },

    /** A new link for `email`: its URL is returned once; the bot is asked to deliver it in Teams. */
    async create(principal: MemberPrincipal, email: string): Promise<{ link: ContractLink; url: string }> {
      if ((await store.onboardingLinks.countOpen(principal.organizationId)) >= MAX_OPEN_LINKS) {
        throw new ApiProblem(409, 'ONBOARDING_LINKS_TOO_MANY', `Your organization has ${MAX_OPEN_LINKS} onboarding links still open. Revoke the ones you no longer need, then generate a new one.`);
      }
      const secret = newLinkSecret();
      const createdAt = store.now();
      const created = await store.onboardingLinks.create({
        organizationId: principal.organizationId,
        tokenHash: secret.hash,
        email,
        createdBy: { objectId: principal.userObjectId, name: principal.name, email: principal.email },
        createdAt,
        expiresAt: onboardingLinkExpiry(createdAt),
      });
      const url = onboardingLinkUrl(settings.publicUrl, secret.token);
      const outcome = settings.courier
        ? await withTimeout(
            settings.courier.deliver({
              organizationId: principal.organizationId,
              organizationName: (await store.organizations.get(principal.organizationId))?.name ?? '',
              tenantId: principal.tenantId,
              linkId: created.id,
              email,
              url,
              expiresAt: created.expiresAt,
              sharedBy: { name: principal.name, email: principal.email },
            }),
            COURIER_TIMEOUT_MS,
          ).catch(() => ({ delivered: false, reason: 'The Users Sync bot did not answer.' }))
        : { delivered: false, reason: NO_COURIER_REASON };
      await store.onboardingLinks.recordDelivery(created.id, outcome);
      return { link: representation((await store.onboardingLinks.get(created.id))!), url };
    },

    async revoke(principal: MemberPrincipal, linkId: string | undefined): Promise<ContractLink> {
      const link = linkId ? await store.onboardingLinks.get(linkId) : undefined;
      if (!link || link.organizationId !== principal.organizationId) throw new ApiProblem(404, 'ONBOARDING_LINK_NOT_FOUND', 'This onboarding link does not exist in your organization. Reload the list of links.');
      if (!(await store.onboardingLinks.revoke(principal.organizationId, link.id, principal.name))) {
        throw new ApiProblem(409, 'ONBOARDING_LINK_ALREADY_REVOKED', 'This onboarding link was already revoked.');
      }
      return representation((await store.onboardingLinks.get(link.id))!);
    },

    /** What a link is, for the page that explains why it does not open (rate-limited like opening). */
    async describe(address: string, token: string, res: { setHeader(name: string, value: string): void }): Promise<Description> {
      const attempt = settings.guard.begin(address);
      if (attempt.retryAfterSeconds !== null) throw throttled(attempt.retryAfterSeconds, res);
      const link = await store.onboardingLinks.findByTokenHash(hashLinkSecret(token));
      await attempt.settle(link ? 'accepted' : 'refused');
      if (!link) {
        return { state: 'unknown', organizationName: null, email: null, expiresAt: null, contact: null, message: unknownLink().detail };
      }
      const contact = await contactOf(link.organizationId);
      const organizationName = (await store.organizations.get(link.organizationId))?.name ?? null;
      const ended = await endedProblem(link);
      const mode = onboardingConsoleMode(link, store.now());
      const state = ended ? (link.revokedAt ? 'revoked' : 'expired') : mode === 'read_only' ? 'completed' : 'usable';
      const message =
        ended?.detail ??
        (state === 'completed'
          ? `The Microsoft setup is done. The console stays open read-only until ${link.expiresAt.slice(0, 10)}.`
          : `Connect ${organizationName ?? 'your organization'} to Microsoft 365 in Users Sync. This link works until ${link.expiresAt.slice(0, 10)}.`);
      return { state, organizationName, email: link.email, expiresAt: link.expiresAt, contact, message };
    },

    /**
     * Exchanges a link's secret for a console session. Refused (and counted against the
     * address) when unknown, expired or revoked; every answer takes the same time.
     */
    async open(address: string, token: string, res: { setHeader(name: string, value: string): void }): Promise<{ sessionToken: string; expiresAt: string }> {
      const attempt = settings.guard.begin(address);
      if (attempt.retryAfterSeconds !== null) throw throttled(attempt.retryAfterSeconds, res);
      let answer: { sessionToken: string; expiresAt: string } | ApiProblem;
      const link = await store.onboardingLinks.findByTokenHash(hashLinkSecret(token));
      if (!link) answer = unknownLink();
      else {
        const ended = await endedProblem(link);
        if (ended) answer = ended;
        else {
          await store.onboardingLinks.markOpened(link.id);
          const session = await settings.sessions.issue({ linkId: link.id, organizationId: link.organizationId, microsoftAccount: null }, link.expiresAt);
          answer = { sessionToken: session.token, expiresAt: session.expiresAt };
        }
      }
      await attempt.settle(answer instanceof ApiProblem ? 'refused' : 'accepted');
      if (answer instanceof ApiProblem) throw answer;
      return answer;
    },

    /** The principal of a console session, checked against its link at every request. */
    async principal(sessionToken: string): Promise<ConsolePrincipal> {
      let session;
      try {
        session = await settings.sessions.verify(sessionToken);
      } catch (error) {
        if (error instanceof ConsoleSessionError) throw new ApiProblem(401, error.code, error.message);
        throw error;
      }
      const link = await store.onboardingLinks.get(session.linkId);
      if (!link || link.organizationId !== session.organizationId) throw new ApiProblem(401, 'ONBOARDING_SESSION_INVALID', 'This console session belongs to no onboarding link. Open the onboarding link again.');
      const ended = await endedProblem(link);
      if (ended) throw ended;
      return {
        kind: 'onboarding_console',
        organizationId: link.organizationId,
        linkId: link.id,
        mode: onboardingConsoleMode(link, store.now()) === 'read_only' ? 'read_only' : 'setup',
        microsoftAccount: session.microsoftAccount,
        runIds: await store.onboardingLinks.runIds(link.id),
      };
    },

    consoleView,

    /**
     * The console's Microsoft sign-in: a work account of the tenant the organization is
     * connected to (or, for an organization without one yet, becomes connected to), and the
     * account the link was made for.
     */
    async signIn(principal: ConsolePrincipal, accessToken: string): Promise<{ session: { sessionToken: string; expiresAt: string }; console: ConsoleView }> {
      const identity = await settings.verifyEntraToken(accessToken);
      const link = (await store.onboardingLinks.get(principal.linkId))!;
      const ask = askText(await contactOf(principal.organizationId));
      let tenantId = await store.members.tenantOf(principal.organizationId);
      if (!tenantId && (await store.members.adoptTenant(principal.organizationId, identity.tenantId))) tenantId = identity.tenantId;
      if (!tenantId || tenantId.toLowerCase() !== identity.tenantId.toLowerCase()) {
        throw new ApiProblem(403, 'ONBOARDING_WRONG_TENANT', `You signed in with an account of another Microsoft 365 organization than the one Users Sync is connected to. Sign in with your work account of that organization, or ask ${ask}.`);
      }
      if (identity.email.toLowerCase() !== link.email.toLowerCase()) {
        throw new ApiProblem(403, 'ONBOARDING_WRONG_ACCOUNT', `This link was made for ${link.email}, and you signed in as ${identity.email}. Sign in as ${link.email}, or ask ${ask} for a link made for you.`);
      }
      await store.onboardingLinks.markSignedIn(link.id, identity.email);
      const microsoftAccount = { tenantId: identity.tenantId, objectId: identity.objectId, name: identity.name, email: identity.email };
      const session = await settings.sessions.issue({ linkId: link.id, organizationId: link.organizationId, microsoftAccount }, link.expiresAt);
      return { session: { sessionToken: session.token, expiresAt: session.expiresAt }, console: await consoleView({ ...principal, microsoftAccount }) };
    },

    /** Consent for a console comes from a Microsoft admin signed in to it, for the organization's tenant. */
    async consentTenant(principal: ConsolePrincipal): Promise<string> {
      const tenantId = await store.members.tenantOf(principal.organizationId);
      if (!principal.microsoftAccount || !tenantId) {
        throw new ApiProblem(403, 'ONBOARDING_SIGN_IN_REQUIRED', 'Sign in with your Microsoft work account first, then click "Connect to Microsoft 365".');
      }
      return tenantId;
    },

    /** A run the console started is its own: it may read it, and its success completes the setup. */
    async claimRun(principal: ConsolePrincipal, runId: string): Promise<void> {
      await store.onboardingLinks.addRun(principal.linkId, runId);
    },

    /**
     * The bot's answer about delivering a link in Teams, for links of `organizationId`
     * only. The bot's internal route calls this with the body it received
     * (onboardingLinkDeliveryReportSchema).
     */
    async recordDelivery(report: { organizationId: string; linkId: string; delivered: boolean; reason: string | null }): Promise<ContractLink> {
      const link = await store.onboardingLinks.get(report.linkId);
      if (!link || link.organizationId !== report.organizationId) throw new ApiProblem(404, 'ONBOARDING_LINK_NOT_FOUND', 'No such onboarding link in this organization.');
      await store.onboardingLinks.recordDelivery(link.id, { delivered: report.delivered, reason: report.reason });
      return representation((await store.onboardingLinks.get(link.id))!);
    },
  };
}

export type OnboardingLinks = ReturnType<typeof createOnboardingLinks>;

function throttled(retryAfterSeconds: number, res: { setHeader(name: string, value: string): void }): ApiProblem {
  res.setHeader('retry-after', String(retryAfterSeconds));
  return new ApiProblem(429, 'ONBOARDING_TOO_MANY_ATTEMPTS', `Too many onboarding links were tried from your network. Wait ${Math.ceil(retryAfterSeconds / 60)} minutes, then open your link again.`);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Builds the onboarding links with their session key (shared by every api instance through the store). */
export async function buildOnboardingLinks(settings: Omit<OnboardingLinksSettings, 'sessions' | 'guard'> & { guard?: RedemptionGuard }): Promise<OnboardingLinks> {
  const signingKey = await settings.store.secrets.getOrCreate('onboarding-session-signing-key');
  return createOnboardingLinks({
    ...settings,
    sessions: createConsoleSessions({ signingKey, now: () => new Date(settings.store.now()) }),
    guard: settings.guard ?? createRedemptionGuard(),
  });
}
