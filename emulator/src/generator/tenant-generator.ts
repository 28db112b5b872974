import { z } from 'zod';
import type { UserProfile } from '../tenants/directory-objects';
import { Tenant } from '../tenants/tenant';
import { SeededRandom } from './seeded-random';
import { COMPANY_NAMES, DEPARTMENTS, GIVEN_NAMES, GROUP_TOPICS, GUEST_DOMAINS, OFFICES, SURNAMES } from './vocabulary';

/** What a generated tenant looks like; the same options and seed always give the same tenant. */
export const tenantShape = z.object({
  seed: z.number().int().default(1),
  users: z.number().int().min(0).max(1_000_000).default(100),
  groups: z.number().int().min(0).max(100_000).default(10),
  /** Length of chains of nested groups under `arsen` and the topic groups (0 = no nesting). */
  nestingDepth: z.number().int().min(0).max(20).default(2),
  /** Close the first nesting chain into a cycle (Entra allows it through synced groups). */
  nestingCycle: z.boolean().default(false),
  disabledShare: z.number().min(0).max(1).default(0.05),
  guestShare: z.number().min(0).max(1).default(0.02),
  noMailboxShare: z.number().min(0).max(1).default(0.02),
  departments: z.number().int().min(1).max(DEPARTMENTS.length).default(8),
  managers: z.boolean().default(true),
  /**
   * Devices, organizational contacts and service principals as members of security groups
   * (arsen included), and a few contacts as managers: Graph returns them in member lists and
   * as managers, and a sync must not take them for employees.
   */
  nonUserObjects: z.boolean().default(true),
  tenantId: z.string().uuid().optional(),
  displayName: z.string().min(1).max(256).optional(),
  /** The short name domains are made from: `{name}.onmicrosoft.com` (initial) and `{name}.com` (default). */
  domainName: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,40}$/)
    .optional(),
});

export type TenantShapeInput = z.input<typeof tenantShape>;
export type TenantShape = z.output<typeof tenantShape>;

export interface GeneratedTenant {
  tenant: Tenant;
  /** `admin@{domain}`: a Global Administrator who can grant consent. */
  adminId: string;
}

const ISO_2020 = Date.UTC(2020, 0, 1);

/**
 * Seeds a company-like tenant: an admin, a CEO, department heads and team leads with
 * reports, job titles, offices, a share of disabled accounts, guests (`#EXT#` UPNs) and
 * accounts without a mailbox; groups per department, a group named `arsen`, topic
 * groups, and chains of nested groups.
 */
export function generateTenant(shape: TenantShape, domainTaken: (domain: string) => boolean): GeneratedTenant {
  const random = new SeededRandom(shape.seed);
  const tenantId = shape.tenantId ?? random.guid();
  const company = COMPANY_NAMES[Math.abs(shape.seed) % COMPANY_NAMES.length]!;
  let slug = shape.domainName ?? `${company.toLowerCase()}${shape.seed}`;
  for (let n = 2; domainTaken(`${slug}.onmicrosoft.com`) || domainTaken(`${slug}.com`); n++) slug = `${shape.domainName ?? `${company.toLowerCase()}${shape.seed}`}-${n}`;
  const initialDomain = `${slug}.onmicrosoft.com`;
  const domain = `${slug}.com`;
  const tenant = new Tenant({
    id: tenantId,
    displayName: shape.displayName ?? `${company} ${shape.seed}`,
    domains: [
      { name: domain, isDefault: true, isInitial: false },
      { name: initialDomain, isDefault: false, isInitial: true },
    ],
    createdDateTime: new Date(ISO_2020).toISOString(),
  });

  const departments = DEPARTMENTS.slice(0, shape.departments);
  const localParts = new Map<string, number>();
  const uniqueLocal = (base: string) => {
    const n = (localParts.get(base) ?? 0) + 1;
    localParts.set(base, n);
    return n === 1 ? base : `${base}${n}`;
  };
  const created = (i: number) => new Date(ISO_2020 + i * 60_000).toISOString();
  const heads: string[] = [];
  const leads: string[] = [];
  const departmentMembers: string[][] = departments.map(() => []);
  const userIds: string[] = [];

  let adminId = '';
  let ceoId: string | null = null;
  for (let i = 0; i < shape.users; i++) {
    const id = random.guid();
    const given = random.pick(GIVEN_NAMES);
    const surname = random.pick(SURNAMES);
    const office = random.pick(OFFICES);
    const base = `${given}.${surname}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    let profile: UserProfile;
    let roles: string[] = [];
    if (i === 0) {
      profile = person({ given: 'Tenant', surname: 'Admin', upn: `admin@${domain}`, mail: `admin@${domain}`, department: 'IT', jobTitle: 'IT Administrator', office, employeeId: 'E100000', company });
      roles = ['Global Administrator'];
      uniqueLocal('admin');
      adminId = id;
    } else {
      const local = uniqueLocal(base);
      const guest = i > 1 && random.chance(shape.guestShare);
      const noMailbox = !guest && i > 1 && random.chance(shape.noMailboxShare);
      const departmentIndex = i === 1 ? -1 : (i - 2) % departments.length;
      const department = departmentIndex >= 0 ? departments[departmentIndex]! : undefined;
      let jobTitle: string | null = department ? random.pick(department.titles) : 'Chief Executive Officer';
      let managerId: string | null = null;
      if (department && shape.managers && !guest) {
        if (heads[departmentIndex] === undefined) {
          heads[departmentIndex] = id;
          jobTitle = `Head of ${department.name}`;
          managerId = ceoId;
        } else if (departmentMembers[departmentIndex]!.length % 8 === 1) {
          leads[departmentIndex] = id;
          jobTitle = `${department.name} Team Lead`;
          managerId = heads[departmentIndex]!;
        } else {
          managerId = leads[departmentIndex] ?? heads[departmentIndex]!;
        }
      }
      if (guest) {
        const guestDomain = random.pick(GUEST_DOMAINS);
        profile = person({ given, surname, upn: `${local}_${guestDomain}#EXT#@${initialDomain}`, mail: `${local}@${guestDomain}`, department: null, jobTitle: null, office: null, employeeId: null, company: null });
        profile.userType = 'Guest';
      } else {
        profile = person({
          given,
          surname,
          upn: `${local}@${domain}`,
          mail: noMailbox ? null : `${local}@${domain}`,
          department: department?.name ?? 'Executive',
          jobTitle,
          office,
          employeeId: `E${100000 + i}`,
          company,
        });
        profile.managerId = managerId;
        if (i === 1) ceoId = id;
      }
      if (i > 1 && random.chance(shape.disabledShare)) profile.accountEnabled = false;
      if (departmentIndex >= 0 && !guest) departmentMembers[departmentIndex]!.push(id);
    }
    const user = tenant.seedUser(id, profile, created(i));
    if (roles.length > 0) user.roles = roles;
    userIds.push(id);
  }

  // Groups: `arsen` first, then one per department, then topic groups.
  const groupIds: string[] = [];
  const topicGroups: string[] = [];
  for (let g = 0; g < shape.groups; g++) {
    const id = random.guid();
    groupIds.push(id);
    if (g === 0) {
      // A security group: only security groups can nest groups (a Microsoft 365 group holds only users).
      tenant.seedGroup(id, { displayName: 'arsen', description: 'People in the security-awareness programme', mail: null, mailNickname: 'arsen', mailEnabled: false, securityEnabled: true, groupTypes: [], visibility: null }, created(g));
      const share = Math.max(1, Math.round(userIds.length * 0.05));
      for (let k = 0; k < share && userIds.length > 0; k++) tenant.seedMember(id, userIds[random.int(userIds.length)]!);
    } else if (g <= departments.length) {
      const department = departments[g - 1]!;
      const nickname = department.name.toLowerCase().replace(/[^a-z0-9]/g, '');
      tenant.seedGroup(id, { displayName: department.name, description: `Everyone in ${department.name}`, mail: `${nickname}@${domain}`, mailNickname: nickname, mailEnabled: true, securityEnabled: false, groupTypes: ['Unified'], visibility: 'Public' }, created(g));
      for (const member of departmentMembers[g - 1]!) tenant.seedMember(id, member);
    } else {
      const topic = GROUP_TOPICS[(g - departments.length - 1) % GROUP_TOPICS.length]!;
      const round = Math.floor((g - departments.length - 1) / GROUP_TOPICS.length);
      const name = round === 0 ? topic : `${topic} ${round + 1}`;
      const nickname = name.toLowerCase().replace(/[^a-z0-9]/g, '');
      tenant.seedGroup(id, { displayName: name, description: null, mail: null, mailNickname: nickname, mailEnabled: false, securityEnabled: true, groupTypes: [], visibility: null }, created(g));
      const size = Math.min(userIds.length, 5 + random.int(60));
      for (let k = 0; k < size; k++) tenant.seedMember(id, userIds[random.int(userIds.length)]!);
      topicGroups.push(id);
    }
  }

  // Nesting: `arsen` and each topic-group chain hold the next group, `nestingDepth` levels deep.
  if (shape.nestingDepth > 0 && topicGroups.length > 0 && groupIds[0]) {
    const chainHeads = [groupIds[0], ...topicGroups.filter((_, i) => i % (shape.nestingDepth + 1) === shape.nestingDepth)];
    let next = 0;
    for (const head of chainHeads) {
      let parent = head;
      const chain = [head];
      for (let level = 0; level < shape.nestingDepth && next < topicGroups.length; level++) {
        const child = topicGroups[next++]!;
        if (chainHeads.includes(child)) continue;
        tenant.seedMember(parent, child);
        chain.push(child);
        parent = child;
      }
      if (shape.nestingCycle && head === groupIds[0] && chain.length > 1) tenant.seedMember(parent, head);
    }
  }
  if (shape.nonUserObjects) seedNonUserObjects(tenant, shape.seed, groupIds[0] ?? null, topicGroups, slug);
  return { tenant, adminId };
}

/**
 * Devices, organizational contacts and service principals in security groups (one of each
 * directly in `arsen`), and a few contacts as managers. Drawn from a stream of their own, so
 * users and groups stay what the same seed always gave.
 */
function seedNonUserObjects(tenant: Tenant, seed: number, arsenId: string | null, topicGroups: string[], slug: string): void {
  const users = tenant.users.length;
  if (users < 20) return;
  const random = new SeededRandom(seed + 104_729);
  const contacts = Array.from({ length: Math.max(1, Math.round(users * 0.005)) }, (_, i) => {
    const given = random.pick(GIVEN_NAMES);
    const surname = random.pick(SURNAMES);
    const agency = random.pick(GUEST_DOMAINS);
    const local = `${given}.${surname}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    return tenant.addOtherObject('orgContact', `${given} ${surname} (${agency})`, `${local}${i}@${agency}`, random.guid());
  });
  const devices = Array.from({ length: Math.max(1, Math.round(users * 0.01)) }, (_, i) => tenant.addOtherObject('device', `LAPTOP-${slug.slice(0, 6).toUpperCase()}${String(i + 1).padStart(4, '0')}`, null, random.guid()));
  const principals = ['Backup Service', 'HR Connector'].map((name) => tenant.addOtherObject('servicePrincipal', name, null, random.guid()));
  const securityGroups = [...(arsenId ? [arsenId] : []), ...topicGroups];
  if (securityGroups.length > 0) {
    for (const [i, object] of [contacts[0]!, devices[0]!, principals[0]!].entries()) tenant.seedMember(arsenId ?? securityGroups[i % securityGroups.length]!, object.id);
    for (const object of [...contacts.slice(1), ...devices.slice(1), ...principals.slice(1)]) tenant.seedMember(securityGroups[random.int(securityGroups.length)]!, object.id);
  }
  // Contractors whose manager is the agency's contact (user-list-manager: a manager can be an organizational contact).
  for (const contact of contacts) {
    const user = tenant.users[2 + random.int(users - 2)]!;
    if (user.userType === 'Member') user.managerId = contact.id;
  }
}

function person(p: {
  given: string;
  surname: string;
  upn: string;
  mail: string | null;
  department: string | null;
  jobTitle: string | null;
  office: (typeof OFFICES)[number] | null;
  employeeId: string | null;
  company: string | null;
}): UserProfile {
  return {
    displayName: `${p.given} ${p.surname}`,
    givenName: p.given,
    surname: p.surname,
    userPrincipalName: p.upn,
    mail: p.mail,
    jobTitle: p.jobTitle,
    department: p.department,
    officeLocation: p.office?.office ?? null,
    mobilePhone: null,
    businessPhones: [],
    preferredLanguage: p.office?.language ?? null,
    employeeId: p.employeeId,
    companyName: p.company,
    country: p.office?.country ?? null,
    city: p.office?.city ?? null,
    usageLocation: p.office?.usageLocation ?? null,
    userType: 'Member',
    accountEnabled: true,
    onPremisesSyncEnabled: null,
    proxyAddresses: p.mail ? [`SMTP:${p.mail}`] : [],
    managerId: null,
  };
}
