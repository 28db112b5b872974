/** Where an object stands in its life: listed, in the recycle bin (restorable), or gone. */
export type ObjectState = 'active' | 'softDeleted' | 'purged';

export type UserType = 'Member' | 'Guest';

/** Directory roles that matter to the emulator: who may grant tenant-wide admin consent. */
export const CONSENT_ADMIN_ROLES = ['Global Administrator', 'Privileged Role Administrator', 'Cloud Application Administrator'] as const;

/** The profile fields a user has; each is a Graph property of the same name (`managerId` is the `manager` reference). */
export interface UserProfile {
  displayName: string;
  givenName: string | null;
  surname: string | null;
  userPrincipalName: string;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  preferredLanguage: string | null;
  employeeId: string | null;
  companyName: string | null;
  country: string | null;
  city: string | null;
  usageLocation: string | null;
  userType: UserType;
  accountEnabled: boolean;
  onPremisesSyncEnabled: boolean | null;
  proxyAddresses: string[];
  managerId: string | null;
}

export type UserProfileKey = keyof UserProfile;

const NO_STRINGS: string[] = [];
Object.freeze(NO_STRINGS);

/**
 * A user, stored as one flat object of fixed shape (V8 keeps these compact); repeated
 * strings such as departments and job titles are shared, not copied, and per-property
 * change versions exist only for users changed after seeding.
 */
export class DirectoryUser implements UserProfile {
  displayName: string;
  givenName: string | null;
  surname: string | null;
  userPrincipalName: string;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  preferredLanguage: string | null;
  employeeId: string | null;
  companyName: string | null;
  country: string | null;
  city: string | null;
  usageLocation: string | null;
  userType: UserType;
  accountEnabled: boolean;
  onPremisesSyncEnabled: boolean | null;
  proxyAddresses: string[];
  managerId: string | null;
  /** The manager removed last, for the `manager@delta` entry marked `@removed` that says so. */
  previousManagerId: string | null = null;

  state: ObjectState = 'active';
  /** Tenant version at which the user was created, and at which it was last deleted or restored. */
  createdVersion: number;
  lifecycleVersion = 0;
  /** Property name → tenant version of its last change; null until the first change after seeding. */
  changes: Map<string, number> | null = null;
  /** Directory roles (not served by Graph; used by the consent page). */
  roles: readonly string[] = NO_STRINGS;
  /** Groups the user belonged to when soft-deleted, given back on restore. */
  groupsBeforeDeletion: string[] | null = null;
  deletedDateTime: string | null = null;

  constructor(
    readonly id: string,
    readonly position: number,
    profile: UserProfile,
    readonly createdDateTime: string,
    version: number,
  ) {
    this.displayName = profile.displayName;
    this.givenName = profile.givenName;
    this.surname = profile.surname;
    this.userPrincipalName = profile.userPrincipalName;
    this.mail = profile.mail;
    this.jobTitle = profile.jobTitle;
    this.department = profile.department;
    this.officeLocation = profile.officeLocation;
    this.mobilePhone = profile.mobilePhone;
    this.businessPhones = profile.businessPhones.length === 0 ? NO_STRINGS : profile.businessPhones;
    this.preferredLanguage = profile.preferredLanguage;
    this.employeeId = profile.employeeId;
    this.companyName = profile.companyName;
    this.country = profile.country;
    this.city = profile.city;
    this.usageLocation = profile.usageLocation;
    this.userType = profile.userType;
    this.accountEnabled = profile.accountEnabled;
    this.onPremisesSyncEnabled = profile.onPremisesSyncEnabled;
    this.proxyAddresses = profile.proxyAddresses.length === 0 ? NO_STRINGS : profile.proxyAddresses;
    this.managerId = profile.managerId;
    this.createdVersion = version;
  }

  /** The version at which `property` last changed (creation counts as a change of everything). */
  changedAt(property: string): number {
    return Math.max(this.createdVersion, this.changes?.get(property) ?? 0);
  }
}

export interface GroupProfile {
  displayName: string;
  description: string | null;
  mail: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
}

export type GroupProfileKey = keyof GroupProfile;

export interface MemberChange {
  memberId: string;
  added: boolean;
  version: number;
}

export class DirectoryGroup implements GroupProfile {
  displayName: string;
  description: string | null;
  mail: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;

  state: ObjectState = 'active';
  createdVersion: number;
  lifecycleVersion = 0;
  changes: Map<string, number> | null = null;
  /** Direct members (user and group ids), in the order they were added. */
  readonly members = new Set<string>();
  /** Membership changes after creation, for `members@delta`. */
  readonly memberLog: MemberChange[] = [];
  deletedDateTime: string | null = null;

  constructor(
    readonly id: string,
    readonly position: number,
    profile: GroupProfile,
    readonly createdDateTime: string,
    version: number,
  ) {
    this.displayName = profile.displayName;
    this.description = profile.description;
    this.mail = profile.mail;
    this.mailNickname = profile.mailNickname;
    this.mailEnabled = profile.mailEnabled;
    this.securityEnabled = profile.securityEnabled;
    this.groupTypes = profile.groupTypes;
    this.visibility = profile.visibility;
    this.createdVersion = version;
  }

  changedAt(property: string): number {
    return Math.max(this.createdVersion, this.changes?.get(property) ?? 0);
  }

  /** The last membership change after `since`, per member (net effect). */
  memberChangesSince(since: number): MemberChange[] {
    const net = new Map<string, MemberChange>();
    for (let i = this.memberLog.length - 1; i >= 0; i--) {
      const change = this.memberLog[i]!;
      if (change.version <= since) break;
      if (!net.has(change.memberId)) net.set(change.memberId, change);
    }
    return [...net.values()].reverse();
  }

  lastMemberChange(): number {
    return this.memberLog.at(-1)?.version ?? 0;
  }
}

export interface VerifiedDomain {
  name: string;
  isDefault: boolean;
  isInitial: boolean;
}

/**
 * Directory objects that are neither users nor groups but can be members of security
 * groups (devices, organizational contacts, service principals); an organizational contact
 * can also be a user's manager. Graph: group-post-members ("types of members that can be
 * added") and user-list-manager ("the user or organizational contact assigned as the
 * user's manager").
 */
export type OtherObjectKind = 'device' | 'orgContact' | 'servicePrincipal';

export interface OtherDirectoryObject {
  readonly id: string;
  readonly kind: OtherObjectKind;
  displayName: string;
  /** Organizational contacts carry an external mail address; the others have none. */
  mail: string | null;
}

/** `@odata.type` of each kind of directory object. */
export const ODATA_TYPES = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
  device: '#microsoft.graph.device',
  orgContact: '#microsoft.graph.orgContact',
  servicePrincipal: '#microsoft.graph.servicePrincipal',
} as const;

/**
 * Microsoft 365 groups (`groupTypes` has `Unified`) hold only users: no nested groups,
 * devices, contacts or service principals (group-post-members, member types table; and
 * group-list-transitivemembers: "Microsoft 365 groups can't have other groups as members").
 */
export function isMicrosoft365Group(group: Pick<GroupProfile, 'groupTypes'>): boolean {
  return group.groupTypes.some((t) => t.toLowerCase() === 'unified');
}
