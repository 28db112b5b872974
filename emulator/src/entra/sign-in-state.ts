import { randomBytes } from 'node:crypto';

export interface AuthorizationCode {
  tenantId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  nonce?: string;
  expiresAt: number;
}

export interface RefreshGrant {
  tenantId: string;
  userId: string;
  clientId: string;
  scope: string;
}

export interface BrowserSession {
  tenantId: string;
  userId: string;
}

/** Codes (single use, 10 minutes), refresh tokens and browser sessions of the sign-in flow. */
export class SignInState {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly sessions = new Map<string, BrowserSession>();

  issueCode(code: Omit<AuthorizationCode, 'expiresAt'>): string {
    const value = randomBytes(32).toString('base64url');
    this.codes.set(value, { ...code, expiresAt: Date.now() + 10 * 60_000 });
    return value;
  }

  redeemCode(value: string): AuthorizationCode | undefined {
    const code = this.codes.get(value);
    this.codes.delete(value);
    return code && code.expiresAt > Date.now() ? code : undefined;
  }

  issueRefreshToken(grant: RefreshGrant): string {
    const value = `1.${randomBytes(48).toString('base64url')}`;
    this.refreshTokens.set(value, grant);
    return value;
  }

  refreshGrant(value: string): RefreshGrant | undefined {
    return this.refreshTokens.get(value);
  }

  startSession(session: BrowserSession): string {
    const id = randomBytes(24).toString('base64url');
    this.sessions.set(id, session);
    return id;
  }

  session(id: string | undefined): BrowserSession | undefined {
    return id ? this.sessions.get(id) : undefined;
  }

  endSession(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}
