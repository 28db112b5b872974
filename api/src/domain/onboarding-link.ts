/** How long an onboarding link opens its console. */
export const ONBOARDING_LINK_LIFETIME_DAYS = 15;

export type OnboardingLinkState = 'pending' | 'opened' | 'completed' | 'expired' | 'revoked';

export interface OnboardingLinkDates {
  expiresAt: string;
  openedAt: string | null;
  completedAt: string | null;
  revokedAt: string | null;
}

/**
 * A link's state at `now`, as its list shows it. Revocation wins over everything (it
 * ended the console); a completed setup stays "completed" after the link ran out, since
 * that is what the owner wants to know about it.
 */
export function onboardingLinkState(link: OnboardingLinkDates, now: string): OnboardingLinkState {
  if (link.revokedAt) return 'revoked';
  if (link.completedAt) return 'completed';
  if (Date.parse(link.expiresAt) <= Date.parse(now)) return 'expired';
  return link.openedAt ? 'opened' : 'pending';
}

/** What a console session may still do: nothing once the link ran out or was revoked; only read once the setup completed. */
export type OnboardingConsoleMode = 'setup' | 'read_only' | 'ended';

export function onboardingConsoleMode(link: OnboardingLinkDates, now: string): OnboardingConsoleMode {
  if (link.revokedAt || Date.parse(link.expiresAt) <= Date.parse(now)) return 'ended';
  return link.completedAt ? 'read_only' : 'setup';
}

export function onboardingLinkExpiry(createdAt: string): string {
  return new Date(Date.parse(createdAt) + ONBOARDING_LINK_LIFETIME_DAYS * 24 * 60 * 60 * 1000).toISOString();
}
