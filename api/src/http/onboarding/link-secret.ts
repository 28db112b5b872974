import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits (the issue asks for at least 128), URL-safe. */
const SECRET_BYTES = 32;

/** A new onboarding link's secret and the hash the store keeps in its place. */
export function newLinkSecret(): { token: string; hash: string } {
  const token = randomBytes(SECRET_BYTES).toString('base64url');
  return { token, hash: hashLinkSecret(token) };
}

/**
 * The secret is random and long, so a plain SHA-256 is enough (no password stretching):
 * whoever reads the database cannot open a console, and looking a link up by its hash
 * compares no secret byte by byte.
 */
export function hashLinkSecret(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Where the link opens the console. The secret rides in the fragment, which browsers never send: no server or proxy log, no Referer carries it. */
export function onboardingLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/onboarding#${token}`;
}
