import { SeededRandom } from './seeded-random';
import { generateTenant, tenantShape, type GeneratedTenant } from './tenant-generator';

/**
 * The tenant `npm start` shows: Contoso, a few hundred people in departments with
 * managers and job titles, `arsen` with nested groups (one nesting cycle), disabled
 * accounts, guests, a shared mailbox without mail and a service account.
 */
export function generateDemoTenant(domainTaken: (domain: string) => boolean, seed = 2024): GeneratedTenant {
  const shape = tenantShape.parse({
    seed,
    users: 320,
    groups: 24,
    nestingDepth: 3,
    nestingCycle: true,
    disabledShare: 0.04,
    guestShare: 0.03,
    noMailboxShare: 0.01,
    departments: 10,
    domainName: 'contoso',
    displayName: 'Contoso',
    // Its own stream: the generator draws user ids from `seed`, and a tenant id must not repeat one.
    tenantId: new SeededRandom(seed + 7919).guid(),
  });
  const generated = generateTenant(shape, domainTaken);
  const { tenant } = generated;
  const domain = tenant.defaultDomain;
  const base = {
    givenName: null,
    surname: null,
    jobTitle: null,
    officeLocation: null,
    mobilePhone: null,
    businessPhones: [],
    preferredLanguage: 'en-US',
    employeeId: null,
    companyName: 'Contoso',
    country: null,
    city: null,
    usageLocation: 'US',
    userType: 'Member' as const,
    onPremisesSyncEnabled: null,
    managerId: null,
  };
  const random = new SeededRandom(seed + 1);
  // A shared mailbox: an account Exchange made, with no usable mail in the directory; and a service account.
  tenant.seedUser(random.guid(), { ...base, displayName: 'Reception (shared mailbox)', userPrincipalName: `reception@${domain}`, mail: null, department: null, accountEnabled: true, proxyAddresses: [] }, '2021-02-01T09:00:00.000Z');
  tenant.seedUser(random.guid(), { ...base, displayName: 'Scanner Service', userPrincipalName: `svc-scanner@${domain}`, mail: null, department: 'IT', accountEnabled: true, proxyAddresses: [] }, '2021-02-01T09:00:00.000Z');
  const appAdmin = tenant.seedUser(
    random.guid(),
    { ...base, displayName: 'Nora Cloudapp', givenName: 'Nora', surname: 'Cloudapp', userPrincipalName: `nora.cloudapp@${domain}`, mail: `nora.cloudapp@${domain}`, department: 'IT', jobTitle: 'Cloud Application Administrator', accountEnabled: true, proxyAddresses: [`SMTP:nora.cloudapp@${domain}`] },
    '2021-02-01T09:00:00.000Z',
  );
  appAdmin.roles = ['Cloud Application Administrator'];
  return generated;
}
