/**
 * The hosts that embed a Teams tab, as Microsoft's "Prerequisites" for tabs lists them for
 * the `frame-ancestors` directive: Teams, the Microsoft 365 app and Outlook, and every
 * `*.cloud.microsoft` host they are moving to
 * (https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements).
 * No other site may frame the tab (clickjacking).
 */
export const TAB_FRAME_ANCESTORS = [
  'https://*.cloud.microsoft',
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
] as const;

/** Where teams-js reads the list of hosts it may talk to (it falls back to a built-in list when it cannot). */
const TEAMS_JS_VALID_DOMAINS_ORIGIN = 'https://res.cdn.office.net';

export interface SecurityHeaderSettings {
  /** Where people reach the api: HSTS is sent when it is https. */
  publicUrl: string;
  /** Entra's sign-in host (or the emulator's): MSAL reads its metadata and tokens there, and may frame it for silent renewal. */
  authorityHost: string;
}

/**
 * The tab's policy: scripts only from our own origin (Vite emits external module scripts,
 * no inline ones, and the tab parses with zod's jitless mode, so no eval); styles from our
 * origin and inline, because Fluent UI (Griffel) writes its rules into `<style>` elements
 * at run time; connections to our api, Entra (MSAL) and teams-js's domain list; frames only
 * Entra (MSAL's silent renewal); framed only by Microsoft's hosts.
 */
export function tabContentSecurityPolicy(settings: Pick<SecurityHeaderSettings, 'authorityHost'>): string {
  const authority = new URL(settings.authorityHost).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${authority} ${TEAMS_JS_VALID_DOMAINS_ORIGIN}`,
    `frame-src ${authority}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${TAB_FRAME_ANCESTORS.join(' ')}`,
  ].join('; ');
}

/** Answers that are not the tab (JSON, CSV, redirects, problems) load nothing and are framed by nobody. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** A year, as browsers' preload lists expect; the api is served at PUBLIC_URL's host only, so no includeSubDomains. */
const HSTS = 'max-age=31536000';

/**
 * Headers on every answer of the api (`X-Content-Type-Options: nosniff` is the HTTP server's,
 * for every process): no referrer (an onboarding link's address never leaks to where its
 * console navigates), the api's own CSP (the tab's pages replace it with theirs), and HSTS
 * when the api is served over https.
 */
export function securityHeaders(settings: Pick<SecurityHeaderSettings, 'publicUrl'>): Record<string, string> {
  return {
    'referrer-policy': 'no-referrer',
    'content-security-policy': API_CONTENT_SECURITY_POLICY,
    ...(new URL(settings.publicUrl).protocol === 'https:' ? { 'strict-transport-security': HSTS } : {}),
  };
}
