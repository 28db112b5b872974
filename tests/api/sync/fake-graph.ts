import { DeltaTokenExpiredError, GraphError, type GraphBatchResult, type GraphPage, type GraphReader } from '@users-sync/api/graph/graph-reader';

/**
 * A small in-memory tenant behind the GraphReader interface, for the engine's edge
 * cases (the listed scenarios also run against the emulator over HTTP). It answers the
 * requests the engine makes and keeps a change version per object for delta rounds.
 */
export interface FakeUser {
  id: string;
  accountEnabled: boolean;
  mail: string | null;
  userPrincipalName: string;
  userType?: string;
  displayName?: string;
  givenName?: string | null;
  surname?: string | null;
  department?: string | null;
  jobTitle?: string | null;
  officeLocation?: string | null;
  city?: string | null;
  country?: string | null;
  preferredLanguage?: string | null;
  employeeId?: string | null;
  companyName?: string | null;
  /** The `manager` reference: expanded in /users listings, `manager@delta` in delta rounds, absent from group members as in Graph. */
  managerId?: string | null;
}

interface Stored<T> {
  value: T;
  version: number;
  deleted: boolean;
}

export class FakeTenant implements GraphReader {
  requestCount = 0;
  private version = 0;
  private readonly users = new Map<string, Stored<FakeUser>>();
  private readonly groups = new Map<string, Stored<{ displayName: string; members: Set<string> }>>();
  private readonly memberChanges: Array<{ version: number; groupId: string; memberId: string; removed: boolean }> = [];
  private expiredBefore = 0;
  /** Fails every request after this many more (a Graph outage mid-run). */
  failAfter: number | null = null;
  /** Called before each request (tests abort from here). */
  onRequest: (() => void) | null = null;
  /** Paths of every $batch item asked for, in order. */
  readonly batchedPaths: string[] = [];
  /** Answers a $batch item with this status instead of the user (an item Graph fails on its own). */
  batchItemStatus: ((path: string) => number | null) | null = null;
  /** What the enabled users' `/users/$count` answers, to pose as a tenant larger than the users added (else the enabled users held). The unfiltered count is not answered: the listing is then read as one. */
  reportedUserCount: number | null = null;
  /** When set, the enabled users' `/users/$count` fails with this status instead. */
  userCountFailure: number | null = null;

  addUser(user: Partial<FakeUser> & { id: string }): this {
    const full: FakeUser = { accountEnabled: true, mail: `${user.id}@contoso.com`, userPrincipalName: `${user.id}@contoso.com`, displayName: user.id, ...user };
    this.users.set(user.id, { value: full, version: ++this.version, deleted: false });
    return this;
  }
  updateUser(id: string, change: Partial<FakeUser>): this {
    const u = this.users.get(id)!;
    u.value = { ...u.value, ...change };
    u.version = ++this.version;
    return this;
  }
  deleteUser(id: string): this {
    const u = this.users.get(id)!;
    u.deleted = true;
    u.version = ++this.version;
    return this;
  }
  addGroup(id: string, displayName: string, members: string[] = []): this {
    this.groups.set(id, { value: { displayName, members: new Set() }, version: ++this.version, deleted: false });
    for (const m of members) this.addMember(id, m);
    return this;
  }
  addMember(groupId: string, memberId: string): this {
    const g = this.groups.get(groupId)!;
    g.value.members.add(memberId);
    g.version = ++this.version;
    this.memberChanges.push({ version: g.version, groupId, memberId, removed: false });
    return this;
  }
  removeMember(groupId: string, memberId: string): this {
    const g = this.groups.get(groupId)!;
    g.value.members.delete(memberId);
    g.version = ++this.version;
    this.memberChanges.push({ version: g.version, groupId, memberId, removed: true });
    return this;
  }
  deleteGroup(id: string): this {
    const g = this.groups.get(id)!;
    g.deleted = true;
    g.version = ++this.version;
    return this;
  }
  /** Every delta link handed out so far stops working (410). */
  expireDeltaLinks(): this {
    this.expiredBefore = this.version + 1;
    return this;
  }

  private count(): void {
    this.onRequest?.();
    this.requestCount += 1;
    if (this.failAfter !== null) {
      if (this.failAfter <= 0) throw new GraphError(503, 'ServiceUnavailable', 'Graph is unavailable (injected)');
      this.failAfter -= 1;
    }
  }

  private closure(groupId: string): { users: string[]; groups: string[] } {
    const seenGroups = new Set<string>();
    const users = new Set<string>();
    const pending = [groupId];
    while (pending.length > 0) {
      const id = pending.pop()!;
      const g = this.groups.get(id);
      if (!g || g.deleted) continue;
      for (const m of g.value.members) {
        if (this.groups.has(m)) {
          if (!seenGroups.has(m) && m !== groupId && !this.groups.get(m)!.deleted) {
            seenGroups.add(m);
            pending.push(m);
          }
        } else if (this.users.has(m) && !this.users.get(m)!.deleted) users.add(m);
      }
    }
    return { users: [...users], groups: [...seenGroups] };
  }

  /** A user as one kind of read carries it: the manager expanded (listing), as a delta reference, or not at all (group members). */
  private userPayload(id: string, manager: 'expanded' | 'delta' | 'none'): Record<string, unknown> {
    const u = this.users.get(id)!;
    if (u.deleted) return { id, '@removed': { reason: 'changed' } };
    const { managerId, ...profile } = u.value;
    if (manager === 'expanded') return managerId ? { ...profile, manager: { id: managerId } } : profile;
    if (manager === 'delta') return { ...profile, 'manager@delta': managerId ? [{ id: managerId }] : [] };
    return profile;
  }

  get<T>(path: string): Promise<T> {
    this.count();
    if (path.startsWith('/users/$count?$filter=')) {
      if (this.userCountFailure !== null) return Promise.reject(new GraphError(this.userCountFailure, this.userCountFailure === 400 ? 'Request_UnsupportedQuery' : 'serviceUnavailable', `count refused (injected ${this.userCountFailure})`));
      const enabled = [...this.users.values()].filter((u) => !u.deleted && u.value.accountEnabled).length;
      return Promise.resolve(String(this.reportedUserCount ?? enabled) as T);
    }
    const m = /^\/groups\/([^/?]+)\?/.exec(path);
    const g = m && this.groups.get(decodeURIComponent(m[1]!));
    if (!m || !g || g.deleted) return Promise.reject(new GraphError(404, 'Request_ResourceNotFound', `no ${path}`));
    return Promise.resolve({ id: decodeURIComponent(m[1]!), displayName: g.value.displayName } as T);
  }

  async *pages<T>(path: string): AsyncIterable<GraphPage<T>> {
    const paged = async function* (this: FakeTenant, items: unknown[], size: number, deltaLink?: string): AsyncIterable<GraphPage<T>> {
      for (let i = 0; i === 0 || i < items.length; i += size) {
        this.count();
        const last = i + size >= items.length;
        yield { value: items.slice(i, i + size) as T[], ...(last ? (deltaLink ? { deltaLink } : {}) : { nextLink: 'fake:next' }) };
        await Promise.resolve();
      }
    };
    const token = /^fake:(users|groups)-delta:(\d+)$/.exec(path);
    if (path.startsWith('/users/delta') || path.startsWith('/groups/delta')) {
      yield* paged.call(this, [], 200, `fake:${path.startsWith('/users') ? 'users' : 'groups'}-delta:${this.version}`);
    } else if (token) {
      const since = Number(token[2]);
      if (since < this.expiredBefore) {
        this.count();
        throw new DeltaTokenExpiredError('expired (injected)');
      }
      if (token[1] === 'users') {
        const changed = [...this.users.entries()].filter(([, u]) => u.version > since).map(([id]) => this.userPayload(id, 'delta'));
        yield* paged.call(this, changed, 200, `fake:users-delta:${this.version}`);
      } else {
        const changed = [...this.groups.entries()]
          .filter(([, g]) => g.version > since)
          .map(([id, g]) =>
            g.deleted
              ? { id, '@removed': { reason: 'changed' } }
              : {
                  id,
                  displayName: g.value.displayName,
                  'members@delta': this.memberChanges
                    .filter((c) => c.groupId === id && c.version > since)
                    .map((c) => ({ id: c.memberId, ...(c.removed ? { '@removed': { reason: 'deleted' } } : {}) })),
                },
          );
        yield* paged.call(this, changed, 200, `fake:groups-delta:${this.version}`);
      }
    } else if (path.startsWith('/users?')) {
      yield* paged.call(this, [...this.users.keys()].filter((id) => !this.users.get(id)!.deleted).map((id) => this.userPayload(id, 'expanded')), 999);
    } else if (path.startsWith('/groups?$filter=')) {
      const name = /eq '(.*)'/.exec(decodeURIComponent(path))![1]!.replace(/''/g, "'").toLowerCase();
      const found = [...this.groups.entries()].filter(([, g]) => !g.deleted && g.value.displayName.toLowerCase() === name).map(([id, g]) => ({ id, displayName: g.value.displayName }));
      yield* paged.call(this, found, 999);
    } else if (/^\/groups\/[^/]+\/members\?/.test(path)) {
      // Direct members, each with its @odata.type, as Graph lists them (GRAPH_NOTES, Group membership).
      const g = this.groups.get(decodeURIComponent(/^\/groups\/([^/]+)\//.exec(path)![1]!));
      const live = [...(g && !g.deleted ? g.value.members : [])].filter((id) => (this.groups.get(id) ?? this.users.get(id))?.deleted === false);
      yield* paged.call(this, live.map((id) => ({ '@odata.type': this.groups.has(id) ? '#microsoft.graph.group' : '#microsoft.graph.user', id })), 999);
    } else {
      const m = /^\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.(user|group)\?/.exec(path);
      if (!m) throw new GraphError(400, 'BadRequest', `fake does not serve ${path}`);
      const { users, groups } = this.closure(decodeURIComponent(m[1]!));
      if (m[2] === 'user') yield* paged.call(this, users.map((id) => this.userPayload(id, 'none')), 999);
      else yield* paged.call(this, groups.map((id) => ({ id, displayName: this.groups.get(id)!.value.displayName })), 999);
    }
  }

  /**
   * `/users/{id}?$select=id&$expand=manager($select=id)` items (and whole users the same way,
   * and `/users/{id}/directReports`), 20 to a call; a missing user is a 404 item.
   */
  batch<T>(paths: string[]): Promise<Array<GraphBatchResult<T>>> {
    const results: Array<GraphBatchResult<T>> = [];
    try {
      for (let i = 0; i < paths.length; i += 20) this.count();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    for (const path of paths) {
      this.batchedPaths.push(path);
      const reports = /^\/users\/([^/?]+)\/directReports\?/.exec(path);
      if (reports) {
        // "List directReports": the live users whose manager this live user is.
        const managerId = decodeURIComponent(reports[1]!);
        if (!this.users.get(managerId) || this.users.get(managerId)!.deleted) results.push({ ok: false, status: 404, error: new GraphError(404, 'Request_ResourceNotFound', `${path} answered 404`) });
        else results.push({ ok: true, status: 200, body: { value: [...this.users.entries()].filter(([, u]) => !u.deleted && u.value.managerId === managerId).map(([id]) => ({ '@odata.type': '#microsoft.graph.user', id })) } as T });
        continue;
      }
      const whole = /^\/users\/([^/?]+)\?\$select=[^&]*,[^&]*&\$expand=manager\(\$select=id\)$/.exec(path);
      if (whole) {
        const id = decodeURIComponent(whole[1]!);
        const u = this.users.get(id);
        results.push(!u || u.deleted ? { ok: false, status: 404, error: new GraphError(404, 'Request_ResourceNotFound', `${path} answered 404`) } : { ok: true, status: 200, body: this.userPayload(id, 'expanded') as T });
        continue;
      }
      const m = /^\/users\/([^/?]+)\?\$select=id&\$expand=manager\(\$select=id\)$/.exec(path);
      if (!m) return Promise.reject(new GraphError(400, 'BadRequest', `fake does not batch ${path}`));
      const id = decodeURIComponent(m[1]!);
      const u = this.users.get(id);
      const status = this.batchItemStatus?.(path) ?? (!u || u.deleted ? 404 : 200);
      if (status !== 200) results.push({ ok: false, status, error: new GraphError(status, status === 404 ? 'Request_ResourceNotFound' : 'Authorization_RequestDenied', `${path} answered ${status} (injected)`) });
      else results.push({ ok: true, status, body: { id, ...(u!.value.managerId ? { manager: { id: u!.value.managerId } } : {}) } as T });
    }
    return Promise.resolve(results);
  }
}
