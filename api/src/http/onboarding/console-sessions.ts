import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

const SESSION_AUDIENCE = 'users-sync:onboarding-console';
/** A console session lasts an hour at most; the link's page opens a new one from its secret. */
const SESSION_LIFETIME_MS = 60 * 60_000;

const microsoftAccountSchema = z.object({ tid: z.string().min(1), oid: z.string().min(1), name: z.string(), email: z.string() });
const claimsSchema = z.object({ sub: z.string().min(1), org: z.string().min(1), ms: microsoftAccountSchema.optional() });

export interface ConsoleSession {
  linkId: string;
  organizationId: string;
  microsoftAccount: { tenantId: string; objectId: string; name: string; email: string } | null;
}

export class ConsoleSessionError extends Error {
  constructor(
    readonly code: 'ONBOARDING_SESSION_EXPIRED' | 'ONBOARDING_SESSION_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleSessionError';
  }
}

/**
 * Console sessions: short, signed (HS256 with a key every api instance shares), naming
 * the link and the organization, and — once the person signed in with Microsoft — their
 * work account. They prove nothing about the link's state: that is read at every request.
 */
export function createConsoleSessions(settings: { signingKey: Uint8Array; now: () => Date }) {
  return {
    async issue(session: ConsoleSession, linkExpiresAt: string): Promise<{ token: string; expiresAt: string }> {
      const issuedAt = settings.now();
      const expiresAt = new Date(Math.min(issuedAt.getTime() + SESSION_LIFETIME_MS, Date.parse(linkExpiresAt)));
      const account = session.microsoftAccount;
      const token = await new SignJWT({
        org: session.organizationId,
        ...(account ? { ms: { tid: account.tenantId, oid: account.objectId, name: account.name, email: account.email } } : {}),
      })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(session.linkId)
        .setAudience(SESSION_AUDIENCE)
        .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(settings.signingKey);
      return { token, expiresAt: expiresAt.toISOString() };
    },

    async verify(token: string): Promise<ConsoleSession> {
      let claims: z.infer<typeof claimsSchema>;
      try {
        const { payload } = await jwtVerify(token, settings.signingKey, { audience: SESSION_AUDIENCE, algorithms: ['HS256'], currentDate: settings.now() });
        claims = claimsSchema.parse(payload);
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new ConsoleSessionError('ONBOARDING_SESSION_EXPIRED', 'This console session has ended. Open the onboarding link again to continue.');
        throw new ConsoleSessionError('ONBOARDING_SESSION_INVALID', 'This console session was not issued by Users Sync. Open the onboarding link again.');
      }
      return {
        linkId: claims.sub,
        organizationId: claims.org,
        microsoftAccount: claims.ms ? { tenantId: claims.ms.tid, objectId: claims.ms.oid, name: claims.ms.name, email: claims.ms.email } : null,
      };
    },
  };
}

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;
