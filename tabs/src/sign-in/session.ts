import type { TokenSource } from '../api/api-client';

/** Who is signed in, and how the tab gets tokens for the api on their behalf. */
export interface Session {
  /** Inside Teams (SSO) or in a browser (MSAL). */
  host: 'teams' | 'browser';
  account: { name: string; username: string };
  token: TokenSource;
  /** Absent inside Teams: Teams owns the sign-in. */
  signOut?: () => Promise<void>;
}

/** Why there is no session yet, in words the sign-in screen shows. */
export type SignInState =
  | { kind: 'loading' }
  | { kind: 'signed-in'; session: Session }
  | { kind: 'signed-out'; signIn: () => Promise<void>; message?: string }
  | { kind: 'consent-needed'; grant: () => Promise<void>; message?: string }
  | { kind: 'failed'; code: string; message: string; retry: () => void };
