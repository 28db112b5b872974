import { promises as dns } from 'node:dns';
import { z } from 'zod';
import { classifyEmailProvider, type DomainEvidence, type ProviderVerdict } from './email-provider-rules';

export interface ProviderDetectionSettings {
  authorityHost: string;
  /** Injected so tests (and machines without DNS) decide what MX records exist. */
  resolveMx?: (domain: string) => Promise<string[]>;
  timeoutMs?: number;
}

const discoverySchema = z.object({ issuer: z.string() });
const TENANT_IN_ISSUER = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/i;

async function systemMx(domain: string): Promise<string[]> {
  try {
    const records = await dns.resolveMx(domain);
    return records.sort((a, b) => a.priority - b.priority).map((r) => r.exchange);
  } catch {
    return []; // no MX, or no DNS here: the Entra answer may still decide
  }
}

/** Asks Entra's OpenID discovery whether the domain is a tenant's verified domain. */
async function entraTenantFor(domain: string, settings: ProviderDetectionSettings): Promise<string | undefined> {
  try {
    const res = await fetch(`${settings.authorityHost}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(settings.timeoutMs ?? 5000),
    });
    if (!res.ok) return undefined; // AADSTS90002: not a tenant
    const parsed = discoverySchema.safeParse(await res.json());
    return parsed.success ? TENANT_IN_ISSUER.exec(parsed.data.issuer)?.[1]?.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Detects the email provider of a domain when an account is created. Never throws. */
export async function detectEmailProvider(domain: string, settings: ProviderDetectionSettings): Promise<ProviderVerdict> {
  const [mxHosts, entraTenantId] = await Promise.all([
    (settings.resolveMx ?? systemMx)(domain).catch(() => []),
    entraTenantFor(domain, settings),
  ]);
  const evidence: DomainEvidence = { mxHosts, ...(entraTenantId ? { entraTenantId } : {}) };
  return classifyEmailProvider(evidence);
}
