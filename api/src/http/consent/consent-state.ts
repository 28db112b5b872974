import { randomBytes } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { ApiProblem } from '../api-problem';

/** Remembers which consent states were issued and which were already used. */
export interface ConsentStateLedger {
  issue(nonce: string, organizationId: string, expiresAt: Date): Promise<void>;
  /** True once per nonce: the first callback that presents it; false for replays and unknowns. */
  consume(nonce: string, now: Date): Promise<boolean>;
}

const STATE_AUDIENCE = 'users-sync:admin-consent';
/** `link`: the onboarding link whose console asked, so the answer returns to that console. */
const claimsSchema = z.object({ org: z.string().min(1), nonce: z.string().min(16), link: z.string().min(1).optional() });

export interface RedeemedConsentState {
  organizationId: string;
  /** Set when an onboarding console started the consent. */
  onboardingLinkId: string | null;
}

export interface ConsentStateSettings {
  /** HMAC key (at least 32 bytes) shared by every api instance. */
  signingKey: Uint8Array;
  ledger: ConsentStateLedger;
  lifetimeSeconds?: number;
  now?: () => Date;
}

/**
 * The `state` sent through Entra's admin-consent redirect: signed (so nobody can forge
 * one for another organization), expiring (ten minutes by default), and single-use
 * (recorded in the ledger, so a replayed callback is refused).
 */
export function createConsentStates(settings: ConsentStateSettings) {
  const lifetime = settings.lifetimeSeconds ?? 600;
  const now = settings.now ?? (() => new Date());

  return {
    async issue(organizationId: string, origin: { onboardingLinkId?: string } = {}): Promise<{ state: string; expiresAt: Date }> {
      const nonce = randomBytes(18).toString('base64url');
      const issuedAt = now();
      const expiresAt = new Date(issuedAt.getTime() + lifetime * 1000);
      await settings.ledger.issue(nonce, organizationId, expiresAt);
      const state = await new SignJWT({ org: organizationId, nonce, ...(origin.onboardingLinkId ? { link: origin.onboardingLinkId } : {}) })
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience(STATE_AUDIENCE)
        .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(settings.signingKey);
      return { state, expiresAt };
    },

    /** The organization the state was issued for; throws a problem for forged, expired or replayed states. */
    async redeem(state: string | undefined): Promise<RedeemedConsentState> {
      if (!state) throw new ApiProblem(400, 'CONSENT_STATE_MISSING', 'The sign-in answer carried no state. Start "Connect to Microsoft 365" again from Users Sync.');
      let claims: z.infer<typeof claimsSchema>;
      try {
        const { payload } = await jwtVerify(state, settings.signingKey, {
          audience: STATE_AUDIENCE,
          algorithms: ['HS256'],
          currentDate: now(),
        });
        claims = claimsSchema.parse(payload);
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) {
          throw new ApiProblem(400, 'CONSENT_STATE_EXPIRED', 'The consent took too long and its link expired. Start "Connect to Microsoft 365" again.');
        }
        throw new ApiProblem(400, 'CONSENT_STATE_INVALID', 'The consent answer was not issued by Users Sync. Start "Connect to Microsoft 365" again from Users Sync.');
      }
      if (!(await settings.ledger.consume(claims.nonce, now()))) {
        throw new ApiProblem(400, 'CONSENT_STATE_REPLAYED', 'This consent answer was already used. Start "Connect to Microsoft 365" again if you need to reconnect.');
      }
      return { organizationId: claims.org, onboardingLinkId: claims.link ?? null };
    },
  };
}

export type ConsentStates = ReturnType<typeof createConsentStates>;
