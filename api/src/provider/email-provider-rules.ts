import type { EmailProvider } from '../contract';

/** What we learned about a domain: its MX hosts and whether Entra knows it as a tenant. */
export interface DomainEvidence {
  mxHosts: string[];
  /** The tenant id Entra's OpenID discovery names for the domain, when it answers. */
  entraTenantId?: string;
}

export interface ProviderVerdict {
  provider: EmailProvider;
  evidence: string;
}

const MICROSOFT_MX = /\.mail\.protection\.outlook\.com\.?$/i;
const GOOGLE_MX = /(^|\.)(aspmx\.l\.google\.com|googlemail\.com|google\.com)\.?$/i;

/**
 * Microsoft 365 when mail lands on Exchange Online Protection or the domain is an Entra
 * tenant's verified domain; Google Workspace on Google's MX; otherwise other. Pure, so
 * the rule is tested without DNS.
 */
export function classifyEmailProvider(evidence: DomainEvidence): ProviderVerdict {
  const microsoftMx = evidence.mxHosts.find((h) => MICROSOFT_MX.test(h));
  if (microsoftMx) return { provider: 'microsoft', evidence: `MX ${microsoftMx}` };
  if (evidence.entraTenantId) return { provider: 'microsoft', evidence: `Entra tenant ${evidence.entraTenantId}` };
  const googleMx = evidence.mxHosts.find((h) => GOOGLE_MX.test(h));
  if (googleMx) return { provider: 'google', evidence: `MX ${googleMx}` };
  if (evidence.mxHosts.length === 0) return { provider: 'unknown', evidence: 'no MX record and no Entra tenant' };
  return { provider: 'other', evidence: `MX ${evidence.mxHosts[0]}` };
}
