import { DomainError } from './domain-error';

/** Addresses and whole domains never synced, lower-cased. */
export interface ExclusionList {
  emails: string[];
  domains: string[];
}

export const emptyExclusionList: ExclusionList = { emails: [], domains: [] };

/**
 * Reads an admin's entries: `someone@contoso.com` excludes that address; `contoso.com` or
 * `@contoso.com` excludes the domain (and its subdomains).
 */
export function parseExclusionList(entries: readonly string[]): ExclusionList {
  const emails = new Set<string>();
  const domains = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const domain = entry.startsWith('@') ? entry.slice(1) : entry;
    if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(entry)) emails.add(entry);
    else if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) domains.add(domain);
    else throw new DomainError('EXCLUSION_INVALID', `"${raw}" is neither an email address nor a domain; write someone@contoso.com or contoso.com.`);
  }
  return { emails: [...emails], domains: [...domains] };
}

export function isExcluded(email: string, list: ExclusionList): boolean {
  const lower = email.toLowerCase();
  if (list.emails.includes(lower)) return true;
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return list.domains.some((d) => domain === d || domain.endsWith(`.${d}`));
}
