import type { EmulatorControl } from '../emulator/src/control/control-client';

/** A group scope made in the emulator through its control API, with what its request floor is computed from. */
export interface NestedGroupScope {
  /** The scope's groups (the sync configuration's `groupIds`). */
  rootIds: string[];
  /** Every group of the scope, roots and nested ones. */
  groupCount: number;
  /** Users under the scope (transitive members), each in one group. */
  members: number;
  /** Users under each root, nested groups included. */
  membersPerRoot: number[];
  /** Direct members of each group (users and the nested group it holds). */
  directMembersPerGroup: number[];
  /** Enabled users of the whole tenant: what the tenant-wide manager listing reads. */
  enabledTenantUsers: number;
}

/**
 * `roots` security groups, each the top of a chain of `depth` groups (root → nested 1 →
 * nested 2 …), with `members` enabled users of the tenant spread evenly over all the groups:
 * a scope whose users are mostly reached through nested groups.
 */
export async function createNestedGroupScope(control: EmulatorControl, tenantId: string, shape: { members: number; roots: number; depth: number }): Promise<NestedGroupScope> {
  const enabled: string[] = [];
  // The control API lists at most 10,000 users a call.
  for (let offset = 0; ; offset += 10_000) {
    const page = await control.users(tenantId, { limit: 10_000, offset });
    enabled.push(...page.value.filter((u) => u.accountEnabled).map((u) => u.id));
    if (offset + 10_000 >= page.total) break;
  }
  if (enabled.length < shape.members) throw new Error(`the tenant has ${enabled.length} enabled users; the scope needs ${shape.members}`);
  const groupCount = shape.roots * shape.depth;
  const share = Math.ceil(shape.members / groupCount);
  const rootIds: string[] = [];
  const membersPerRoot: number[] = [];
  const directMembersPerGroup: number[] = [];
  for (let r = 0; r < shape.roots; r += 1) {
    let inner: string | null = null;
    let underRoot = 0;
    // Innermost first: a group is created with the group it holds.
    for (let level = shape.depth - 1; level >= 0; level -= 1) {
      const at = (r * shape.depth + level) * share;
      const ids = enabled.slice(at, Math.min(at + share, shape.members));
      underRoot += ids.length;
      const memberIds: string[] = inner ? [...ids, inner] : ids;
      const group = await control.createGroup(tenantId, { displayName: level === 0 ? `Bench scope ${r + 1}` : `Bench scope ${r + 1} nested ${level}`, memberIds });
      directMembersPerGroup.push(memberIds.length);
      inner = group.id;
    }
    rootIds.push(inner!);
    membersPerRoot.push(underRoot);
  }
  return { rootIds, groupCount, members: membersPerRoot.reduce((a, b) => a + b, 0), membersPerRoot, directMembersPerGroup, enabledTenantUsers: enabled.length };
}

/**
 * The fewest Graph requests a full sync of the scope with managers can make: each root
 * looked up (1), a users and a groups delta link (2), the roots' transitive user members at
 * 999 a page, the members' managers — the fewer of one `$batch` item per member (Graph, and
 * the emulator's counters, count each item as a request) and the tenant's size (1) plus its
 * enabled users' managers at 100 a page (`$expand` caps pages at 100) — each root's nested
 * groups (1), and each group's direct members at 999 a page (who holds whom, for "through
 * which group").
 */
export function groupScopeFloor(scope: NestedGroupScope): number {
  const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
  const roots = scope.rootIds.length;
  const members = scope.membersPerRoot.reduce((sum, n) => sum + pages(n, 999), 0);
  const managers = Math.min(scope.members, 1 + pages(scope.enabledTenantUsers, 100));
  const direct = scope.directMembersPerGroup.reduce((sum, n) => sum + pages(n, 999), 0);
  return roots + 2 + members + managers + roots + direct;
}
