import { randomUUID } from 'node:crypto';
import {
  DirectoryGroup,
  DirectoryUser,
  isMicrosoft365Group,
  ODATA_TYPES,
  type GroupProfile,
  type OtherDirectoryObject,
  type OtherObjectKind,
  type GroupProfileKey,
  type UserProfile,
  type UserProfileKey,
  type VerifiedDomain,
} from './directory-objects';
import { consistencySettings, type ConsistencySettings } from './consistency';

/** A change as change notifications see it. */
export type DirectoryChange =
  | { kind: 'user'; id: string; changeType: 'updated' | 'deleted' }
  | { kind: 'group'; id: string; changeType: 'updated' | 'deleted' }
  | { kind: 'membership'; groupId: string; memberId: string; added: boolean };

export class DirectoryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TenantInit {
  id: string;
  displayName: string;
  domains: VerifiedDomain[];
  countryLetterCode?: string;
  createdDateTime?: string;
}

/**
 * One Entra tenant: users, groups and the change history delta queries and
 * notifications are built from. Every change bumps `version`; objects remember the
 * version of their last change (per property once changed after seeding).
 */
export class Tenant {
  readonly id: string;
  displayName: string;
  readonly domains: VerifiedDomain[];
  readonly countryLetterCode: string;
  readonly createdDateTime: string;

  version = 1;
  /** How far this tenant's clock runs ahead of the real one (control API): tokens expire by it. */
  clockOffsetMs = 0;
  /** When each recent version was made (kept only while a replication delay is on). */
  private versionTimes: Array<{ version: number; at: number }> = [];
  /** How eventually consistent the tenant's reads are (control API: PUT /_emulator/tenants/{id}/consistency). */
  consistency: ConsistencySettings = consistencySettings.parse({});
  /** Bumped by "expire all delta tokens now": tokens minted under an older epoch answer 410. */
  deltaEpoch = 0;
  /** Bumped on any change that can alter a transitive closure. */
  membershipVersion = 0;

  /** Append-only, so a position is a stable paging cursor; purged users stay as tombstones for delta. */
  readonly users: DirectoryUser[] = [];
  readonly groups: DirectoryGroup[] = [];
  private readonly usersById = new Map<string, DirectoryUser>();
  private readonly usersByUpn = new Map<string, DirectoryUser>();
  private readonly groupsById = new Map<string, DirectoryGroup>();
  /** Devices, organizational contacts and service principals (members of security groups; contacts as managers). */
  private readonly othersById = new Map<string, OtherDirectoryObject>();
  private activeUsers = 0;
  private readonly listeners = new Set<(change: DirectoryChange) => void>();
  private closureCache = new Map<string, { version: number; users: string[]; groups: string[]; others: string[] }>();

  constructor(init: TenantInit) {
    this.id = init.id;
    this.displayName = init.displayName;
    this.domains = init.domains;
    this.countryLetterCode = init.countryLetterCode ?? 'US';
    this.createdDateTime = init.createdDateTime ?? new Date().toISOString();
  }

  get defaultDomain(): string {
    return (this.domains.find((d) => d.isDefault) ?? this.domains[0]!).name;
  }

  get initialDomain(): string {
    return (this.domains.find((d) => d.isInitial) ?? this.domains[0]!).name;
  }

  /** Active (not deleted) users: the size Graph throttling buckets are chosen by. */
  get activeUserCount(): number {
    return this.activeUsers;
  }

  onChange(listener: (change: DirectoryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: DirectoryChange): void {
    for (const listener of this.listeners) listener(change);
  }

  // --- users ------------------------------------------------------------------------

  user(idOrUpn: string): DirectoryUser | undefined {
    return this.usersById.get(idOrUpn.toLowerCase()) ?? this.usersByUpn.get(idOrUpn.toLowerCase());
  }

  activeUser(idOrUpn: string): DirectoryUser | undefined {
    const user = this.user(idOrUpn);
    return user?.state === 'active' ? user : undefined;
  }

  /** Seeding path: no events, no change log, version stays. */
  seedUser(id: string, profile: UserProfile, createdDateTime: string): DirectoryUser {
    const user = new DirectoryUser(id, this.users.length, profile, createdDateTime, this.version);
    this.index(user);
    return user;
  }

  createUser(profile: UserProfile, id: string = randomUUID()): DirectoryUser {
    if (this.usersByUpn.has(profile.userPrincipalName.toLowerCase()))
      throw new DirectoryError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
    const version = this.nextVersion();
    const user = new DirectoryUser(id, this.users.length, profile, new Date().toISOString(), version);
    this.index(user);
    this.membershipVersion++;
    this.emit({ kind: 'user', id: user.id, changeType: 'updated' });
    return user;
  }

  private index(user: DirectoryUser): void {
    this.users.push(user);
    this.usersById.set(user.id.toLowerCase(), user);
    this.usersByUpn.set(user.userPrincipalName.toLowerCase(), user);
    if (user.state === 'active') this.activeUsers++;
  }

  updateUser(idOrUpn: string, patch: Partial<UserProfile>): DirectoryUser {
    const user = this.requireUser(idOrUpn, true);
    const version = this.nextVersion();
    let changed = false;
    for (const [key, value] of Object.entries(patch) as Array<[UserProfileKey, UserProfile[UserProfileKey]]>) {
      if (value === undefined || JSON.stringify(user[key]) === JSON.stringify(value)) continue;
      if (key === 'userPrincipalName') {
        const taken = this.usersByUpn.get(String(value).toLowerCase());
        if (taken && taken !== user) throw new DirectoryError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
        this.usersByUpn.delete(user.userPrincipalName.toLowerCase());
        this.usersByUpn.set(String(value).toLowerCase(), user);
      }
      if (key === 'managerId' && value !== null && !this.activeUser(String(value)) && this.otherObject(String(value))?.kind !== 'orgContact') throw new DirectoryError(404, 'Request_ResourceNotFound', `Manager '${String(value)}' does not exist.`);
      if (key === 'managerId' && value === null) user.previousManagerId = user.managerId;
      (user as unknown as Record<string, unknown>)[key] = value;
      (user.changes ??= new Map()).set(key === 'managerId' ? 'manager' : key, version);
      changed = true;
    }
    if (changed) this.emit({ kind: 'user', id: user.id, changeType: 'updated' });
    return user;
  }

  /** Moves the user to the recycle bin: gone from lists and groups, restorable with its memberships. */
  softDeleteUser(idOrUpn: string): DirectoryUser {
    const user = this.requireUser(idOrUpn, true);
    user.groupsBeforeDeletion = [];
    for (const group of this.groups) {
      if (group.state === 'active' && group.members.has(user.id)) {
        user.groupsBeforeDeletion.push(group.id);
        this.removeMember(group.id, user.id);
      }
    }
    user.state = 'softDeleted';
    user.deletedDateTime = new Date().toISOString();
    user.lifecycleVersion = this.nextVersion();
    this.activeUsers--;
    this.membershipVersion++;
    this.emit({ kind: 'user', id: user.id, changeType: 'updated' });
    return user;
  }

  restoreUser(idOrUpn: string): DirectoryUser {
    const user = this.requireUser(idOrUpn, false);
    if (user.state !== 'softDeleted') throw new DirectoryError(400, 'Request_BadRequest', `User '${user.id}' is not in the deleted items.`);
    user.state = 'active';
    user.deletedDateTime = null;
    user.lifecycleVersion = this.nextVersion();
    this.activeUsers++;
    this.membershipVersion++;
    for (const groupId of user.groupsBeforeDeletion ?? []) {
      if (this.groupsById.get(groupId)?.state === 'active') this.addMember(groupId, user.id);
    }
    user.groupsBeforeDeletion = null;
    this.emit({ kind: 'user', id: user.id, changeType: 'updated' });
    return user;
  }

  /** Permanent deletion: delta reports it as `deleted`. */
  purgeUser(idOrUpn: string): DirectoryUser {
    const user = this.requireUser(idOrUpn, false);
    if (user.state === 'purged') throw new DirectoryError(404, 'Request_ResourceNotFound', `Resource '${idOrUpn}' does not exist.`);
    if (user.state === 'active') {
      for (const group of this.groups) if (group.state === 'active' && group.members.has(user.id)) this.removeMember(group.id, user.id);
      this.activeUsers--;
    }
    user.state = 'purged';
    user.groupsBeforeDeletion = null;
    user.lifecycleVersion = this.nextVersion();
    this.usersByUpn.delete(user.userPrincipalName.toLowerCase());
    this.membershipVersion++;
    for (const other of this.users) if (other.managerId === user.id && other.state !== 'purged') this.updateUser(other.id, { managerId: null });
    this.emit({ kind: 'user', id: user.id, changeType: 'deleted' });
    return user;
  }

  private requireUser(idOrUpn: string, mustBeActive: boolean): DirectoryUser {
    const user = this.usersById.get(idOrUpn.toLowerCase()) ?? this.usersByUpn.get(idOrUpn.toLowerCase());
    if (!user || user.state === 'purged' || (mustBeActive && user.state !== 'active'))
      throw new DirectoryError(404, 'Request_ResourceNotFound', `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`);
    return user;
  }

  // --- groups -----------------------------------------------------------------------

  group(id: string): DirectoryGroup | undefined {
    return this.groupsById.get(id.toLowerCase());
  }

  activeGroup(id: string): DirectoryGroup | undefined {
    const group = this.group(id);
    return group?.state === 'active' ? group : undefined;
  }

  seedGroup(id: string, profile: GroupProfile, createdDateTime: string): DirectoryGroup {
    const group = new DirectoryGroup(id, this.groups.length, profile, createdDateTime, this.version);
    this.groups.push(group);
    this.groupsById.set(id.toLowerCase(), group);
    return group;
  }

  /** Seeding path for memberships: no change log, but the same rules on who may be a member. */
  seedMember(groupId: string, memberId: string): void {
    const group = this.groupsById.get(groupId.toLowerCase())!;
    const refusal = this.membershipRefusal(group, memberId);
    if (refusal) throw new DirectoryError(400, 'Request_BadRequest', refusal);
    group.members.add(memberId);
  }

  /**
   * Why `memberId` cannot join `group`, or null when it can. Microsoft 365 groups hold only
   * users, and a Microsoft 365 group is a member of no group (group-post-members, the
   * member types table); security groups hold users, security groups, devices,
   * organizational contacts and service principals.
   */
  private membershipRefusal(group: DirectoryGroup, memberId: string): string | null {
    const kind = this.kindOf(memberId);
    if (kind === null) return `Resource '${memberId}' does not exist or one of its queried reference-property objects are not present.`;
    if (kind === 'group') {
      const member = this.groupsById.get(memberId.toLowerCase())!;
      if (isMicrosoft365Group(member)) return 'A Microsoft 365 group cannot be a member of another group.';
    }
    if (isMicrosoft365Group(group) && kind !== 'user') return `Microsoft 365 groups can only have users as members; '${memberId}' is a ${kind}.`;
    return null;
  }

  /** What kind of directory object `id` names, or null when none. */
  kindOf(id: string): 'user' | 'group' | OtherObjectKind | null {
    const key = id.toLowerCase();
    if (this.groupsById.has(key)) return 'group';
    if (this.usersById.has(key)) return 'user';
    return this.othersById.get(key)?.kind ?? null;
  }

  /** The `@odata.type` a member or manager reference carries. */
  odataTypeOf(id: string): string {
    return ODATA_TYPES[this.kindOf(id) ?? 'user'];
  }

  // --- devices, organizational contacts, service principals ---------------------------

  otherObject(id: string): OtherDirectoryObject | undefined {
    return this.othersById.get(id.toLowerCase());
  }

  get otherObjects(): IterableIterator<OtherDirectoryObject> {
    return this.othersById.values();
  }

  /** Seeding and control path: these objects are not tracked by users or groups delta. */
  addOtherObject(kind: OtherObjectKind, displayName: string, mail: string | null = null, id: string = randomUUID()): OtherDirectoryObject {
    if (this.kindOf(id) !== null) throw new DirectoryError(400, 'Request_BadRequest', `Another object with the id '${id}' already exists.`);
    const object: OtherDirectoryObject = { id, kind, displayName, mail };
    this.othersById.set(id.toLowerCase(), object);
    return object;
  }

  createGroup(profile: GroupProfile, id: string = randomUUID()): DirectoryGroup {
    const version = this.nextVersion();
    const group = new DirectoryGroup(id, this.groups.length, profile, new Date().toISOString(), version);
    this.groups.push(group);
    this.groupsById.set(id.toLowerCase(), group);
    this.emit({ kind: 'group', id, changeType: 'updated' });
    return group;
  }

  updateGroup(id: string, patch: Partial<GroupProfile>): DirectoryGroup {
    const group = this.requireGroup(id);
    const version = this.nextVersion();
    let changed = false;
    for (const [key, value] of Object.entries(patch) as Array<[GroupProfileKey, GroupProfile[GroupProfileKey]]>) {
      if (value === undefined || JSON.stringify(group[key]) === JSON.stringify(value)) continue;
      (group as unknown as Record<string, unknown>)[key] = value;
      (group.changes ??= new Map()).set(key, version);
      changed = true;
    }
    if (changed) this.emit({ kind: 'group', id: group.id, changeType: 'updated' });
    return group;
  }

  deleteGroup(id: string): DirectoryGroup {
    const group = this.requireGroup(id);
    for (const other of this.groups) if (other.state === 'active' && other.members.has(group.id)) this.removeMember(other.id, group.id);
    group.state = 'purged';
    group.deletedDateTime = new Date().toISOString();
    group.lifecycleVersion = this.nextVersion();
    this.membershipVersion++;
    this.emit({ kind: 'group', id: group.id, changeType: 'deleted' });
    return group;
  }

  /** Adds a user or a group (nesting; cycles are allowed, as in Entra through sync). */
  addMember(groupId: string, memberId: string): void {
    const group = this.requireGroup(groupId);
    const member = this.activeUser(memberId) ?? this.activeGroup(memberId) ?? this.otherObject(memberId);
    if (!member) throw new DirectoryError(404, 'Request_ResourceNotFound', `Resource '${memberId}' does not exist or one of its queried reference-property objects are not present.`);
    if (member.id === group.id) throw new DirectoryError(400, 'Request_BadRequest', 'A group cannot be a member of itself.');
    const refusal = this.membershipRefusal(group, member.id);
    if (refusal) throw new DirectoryError(400, 'Request_BadRequest', refusal);
    if (group.members.has(member.id))
      throw new DirectoryError(400, 'Request_BadRequest', 'One or more added object references already exist for the following modified properties: \'members\'.');
    group.members.add(member.id);
    group.memberLog.push({ memberId: member.id, added: true, version: this.nextVersion() });
    this.membershipVersion++;
    this.emit({ kind: 'membership', groupId: group.id, memberId: member.id, added: true });
  }

  removeMember(groupId: string, memberId: string): void {
    const group = this.requireGroup(groupId);
    const member = this.user(memberId) ?? this.group(memberId) ?? this.otherObject(memberId);
    if (!member || !group.members.has(member.id)) throw new DirectoryError(404, 'Request_ResourceNotFound', `Member '${memberId}' is not in group '${groupId}'.`);
    group.members.delete(member.id);
    group.memberLog.push({ memberId: member.id, added: false, version: this.nextVersion() });
    this.membershipVersion++;
    this.emit({ kind: 'membership', groupId: group.id, memberId: member.id, added: false });
  }

  private requireGroup(id: string): DirectoryGroup {
    const group = this.activeGroup(id);
    if (!group) throw new DirectoryError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    return group;
  }

  /** Whether `id` names a group (as opposed to a user) in this tenant. */
  isGroup(id: string): boolean {
    return this.groupsById.has(id.toLowerCase());
  }

  /**
   * The flat closure of a group's membership: users and nested groups, each once, in
   * breadth-first order; cycles end where an already-seen group reappears. Cached until
   * the next membership change.
   */
  transitiveMembers(groupId: string): { users: string[]; groups: string[]; others: string[] } {
    const cached = this.closureCache.get(groupId);
    if (cached && cached.version === this.membershipVersion) return cached;
    const users: string[] = [];
    const groups: string[] = [];
    const others: string[] = [];
    const seenUsers = new Set<string>();
    const seenGroups = new Set<string>([groupId]);
    const queue = [groupId];
    for (let i = 0; i < queue.length; i++) {
      const group = this.groupsById.get(queue[i]!.toLowerCase());
      if (!group || group.state !== 'active') continue;
      for (const memberId of group.members) {
        if (this.groupsById.has(memberId)) {
          if (seenGroups.has(memberId)) continue;
          seenGroups.add(memberId);
          groups.push(memberId);
          queue.push(memberId);
        } else if (!seenUsers.has(memberId)) {
          seenUsers.add(memberId);
          (this.othersById.has(memberId.toLowerCase()) ? others : users).push(memberId);
        }
      }
    }
    if (this.closureCache.size > 200) this.closureCache = new Map();
    const closure = { version: this.membershipVersion, users, groups, others };
    this.closureCache.set(groupId, closure);
    return closure;
  }

  /** Direct members as an array (cached until the next membership change), for paging by position. */
  directMembers(groupId: string): string[] {
    const key = `direct:${groupId}`;
    const cached = this.closureCache.get(key);
    if (cached && cached.version === this.membershipVersion) return cached.users;
    const members = [...(this.groupsById.get(groupId.toLowerCase())?.members ?? [])];
    this.closureCache.set(key, { version: this.membershipVersion, users: members, groups: [], others: [] });
    return members;
  }

  /** Marks a version boundary without a change: "from now" delta tokens use it. */
  get currentVersion(): number {
    return this.version;
  }

  private nextVersion(): number {
    this.version++;
    if (this.consistency.replicationDelayMs > 0) this.versionTimes.push({ version: this.version, at: Date.now() });
    return this.version;
  }

  /**
   * The last version every replica has seen: with a replication delay, changes younger
   * than the delay are not yet in lists and delta rounds (delta-query-overview: changes can
   * take a short while to appear).
   */
  get replicatedVersion(): number {
    const delay = this.consistency.replicationDelayMs;
    if (delay <= 0) return this.version;
    const horizon = Date.now() - delay;
    let visible = this.version;
    for (let i = this.versionTimes.length - 1; i >= 0; i--) {
      const mark = this.versionTimes[i]!;
      if (mark.at <= horizon) break;
      visible = mark.version - 1;
    }
    // Older marks are behind every horizon from now on.
    const firstYoung = this.versionTimes.findIndex((mark) => mark.at > horizon);
    if (firstYoung > 0) this.versionTimes.splice(0, firstYoung);
    else if (firstYoung === -1) this.versionTimes.length = 0;
    return visible;
  }
}
