import { hashEmployeeAttributes } from './attributes-hash';
import type { EmployeeAttributes, MappedUser } from './employee';

/** What the diff needs to know about an employee already in the directory (synced from Microsoft). */
export interface StoredEmployee {
  id: string;
  entraObjectId: string;
  status: 'active' | 'inactive';
  hash: string;
  email?: string;
  displayName?: string | null;
  managerId?: string | null;
}

export type EmployeeChangeKind = 'create' | 'update' | 'unchanged' | 'reactivate';

export interface EmployeeChange {
  kind: EmployeeChangeKind;
  entraObjectId: string;
  attributes: EmployeeAttributes;
  hash: string;
  /** The stored record it changes; absent for a creation. */
  employeeId?: string;
}

/** How one Entra user in scope compares with what the directory holds. A returning user keeps the same record. */
export function compareEmployee(stored: StoredEmployee | undefined, entraObjectId: string, attributes: EmployeeAttributes): EmployeeChange {
  const hash = hashEmployeeAttributes(attributes);
  if (!stored) return { kind: 'create', entraObjectId, attributes, hash };
  const kind: EmployeeChangeKind = stored.status === 'inactive' ? 'reactivate' : stored.hash === hash ? 'unchanged' : 'update';
  return { kind, entraObjectId, attributes, hash, employeeId: stored.id };
}

/**
 * Active employees the complete enumeration did not find in scope. Only meaningful after
 * a complete enumeration: anything less would deactivate people we simply did not read.
 */
export function employeesToDeactivate(stored: Iterable<StoredEmployee>, inScope: ReadonlySet<string>): StoredEmployee[] {
  const out: StoredEmployee[] = [];
  for (const employee of stored) if (employee.status === 'active' && !inScope.has(employee.entraObjectId)) out.push(employee);
  return out;
}

export interface DirectoryDiff {
  create: EmployeeChange[];
  update: EmployeeChange[];
  unchanged: EmployeeChange[];
  reactivate: EmployeeChange[];
  deactivate: StoredEmployee[];
  skipped: Array<Extract<MappedUser, { kind: 'skipped' }>>;
}

/** The whole diff between the directory and a complete enumeration of the scope. */
export function diffDirectory(stored: readonly StoredEmployee[], enumerated: readonly MappedUser[]): DirectoryDiff {
  const byEntraId = new Map(stored.map((e) => [e.entraObjectId, e]));
  const diff: DirectoryDiff = { create: [], update: [], unchanged: [], reactivate: [], deactivate: [], skipped: [] };
  const inScope = new Set<string>();
  for (const user of enumerated) {
    // The same user can arrive twice (several groups, replays): the first decides.
    if (inScope.has(user.entraObjectId)) continue;
    if (user.kind === 'skipped') {
      if (!diff.skipped.some((s) => s.entraObjectId === user.entraObjectId)) diff.skipped.push(user);
      continue;
    }
    inScope.add(user.entraObjectId);
    const change = compareEmployee(byEntraId.get(user.entraObjectId), user.entraObjectId, user.attributes);
    diff[change.kind].push(change);
  }
  diff.skipped = diff.skipped.filter((s) => !inScope.has(s.entraObjectId));
  diff.deactivate = employeesToDeactivate(stored, inScope);
  return diff;
}
