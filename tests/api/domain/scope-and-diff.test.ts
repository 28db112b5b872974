import {
  compareEmployee,
  deletionGuardHolds,
  defaultDeletionGuard,
  diffDirectory,
  groupTreeClosure,
  hashEmployeeAttributes,
  resolveNamedGroup,
  rootsReaching,
  scopePaths,
  syncScopeSchema,
  type MappedUser,
  type StoredEmployee,
} from '@users-sync/api/domain/index';
import { employeeAttributes } from '../employee-attributes';

const attributes = (email: string, department: string | null = null) => employeeAttributes(email, { department });
const inScope = (id: string, department: string | null = null): MappedUser => ({ kind: 'employee', entraObjectId: id, attributes: attributes(`${id}@contoso.com`, department) });
const stored = (id: string, status: 'active' | 'inactive', department: string | null = null): StoredEmployee => ({
  id: `e-${id}`,
  entraObjectId: id,
  status,
  hash: hashEmployeeAttributes(attributes(`${id}@contoso.com`, department)),
});

describe('the sync scope', () => {
  it('is all users, a group name, or chosen group ids', () => {
    expect(syncScopeSchema.parse({ kind: 'all' })).toEqual({ kind: 'all' });
    expect(syncScopeSchema.parse({ kind: 'group_name', groupName: ' arsen ' })).toEqual({ kind: 'group_name', groupName: 'arsen' });
    expect(syncScopeSchema.safeParse({ kind: 'groups', groupIds: [] }).success).toBe(false);
  });

  it('finds the one group with the name, ignoring case', () => {
    expect(resolveNamedGroup('arsen', [{ id: 'g1', displayName: 'Arsen' }, { id: 'g2', displayName: 'arsenal' }]).id).toBe('g1');
  });

  it('says clearly when no group has the name', () => {
    expect(() => resolveNamedGroup('arsen', [])).toThrow(expect.objectContaining({ code: 'SCOPE_GROUP_NOT_FOUND', message: expect.stringContaining('No group named "arsen"') }));
  });

  it('names every match when several groups have the name', () => {
    expect(() => resolveNamedGroup('arsen', [{ id: 'g1', displayName: 'arsen' }, { id: 'g2', displayName: 'ARSEN' }])).toThrow(
      expect.objectContaining({ code: 'SCOPE_GROUP_AMBIGUOUS', message: expect.stringMatching(/2 groups are named "arsen": arsen \(g1\), ARSEN \(g2\)/) }),
    );
  });
});

describe('nested groups', () => {
  it('reach every group under the roots, three deep and through a cycle, visiting each once', () => {
    const tree = { roots: ['a'], children: { a: ['b'], b: ['c'], c: ['d', 'a'], d: ['b'], x: ['y'] } };
    expect([...groupTreeClosure(tree)].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('tell which roots a change in a nested group affects', () => {
    const tree = { roots: ['a', 'x'], children: { a: ['b'], b: ['c'], x: ['y'] } };
    expect(rootsReaching(tree, ['c'])).toEqual(['a']);
    expect(rootsReaching(tree, ['zzz'])).toEqual([]);
  });
});

describe('the directory diff', () => {
  it('creates newcomers, updates changed people, leaves the rest, deactivates who left, reactivates who came back', () => {
    const diff = diffDirectory(
      [stored('same', 'active'), stored('changed', 'active', 'Sales'), stored('gone', 'active'), stored('back', 'inactive'), stored('still-gone', 'inactive')],
      [inScope('same'), inScope('changed', 'Marketing'), inScope('new'), inScope('back')],
    );
    expect(diff.create.map((c) => c.entraObjectId)).toEqual(['new']);
    expect(diff.update.map((c) => c.entraObjectId)).toEqual(['changed']);
    expect(diff.unchanged.map((c) => c.entraObjectId)).toEqual(['same']);
    expect(diff.reactivate.map((c) => c.employeeId)).toEqual(['e-back']);
    expect(diff.deactivate.map((e) => e.entraObjectId)).toEqual(['gone']);
  });

  it('deactivates an active employee who is now skipped (disabled, excluded, lost the mailbox)', () => {
    const diff = diffDirectory([stored('off', 'active')], [{ kind: 'skipped', entraObjectId: 'off', email: 'off@contoso.com', displayName: null, reason: 'disabled' }]);
    expect(diff.deactivate.map((e) => e.entraObjectId)).toEqual(['off']);
    expect(diff.skipped).toHaveLength(1);
  });

  it('counts a user met in several groups once', () => {
    const diff = diffDirectory([], [inScope('a'), inScope('a'), inScope('b')]);
    expect(diff.create).toHaveLength(2);
  });

  it('keeps the stored record when someone returns', () => {
    expect(compareEmployee(stored('x', 'inactive'), 'x', attributes('x@contoso.com'))).toMatchObject({ kind: 'reactivate', employeeId: 'e-x' });
  });
});

describe('the deletion guard', () => {
  it('holds a run that would deactivate more than 20% of active employees and at least 10 people', () => {
    expect(deletionGuardHolds(11, 50, defaultDeletionGuard)).toBe(true);
    expect(deletionGuardHolds(10, 50, defaultDeletionGuard)).toBe(false); // exactly 20%
    expect(deletionGuardHolds(9, 20, defaultDeletionGuard)).toBe(false); // under 10 people
    expect(deletionGuardHolds(10, 20, defaultDeletionGuard)).toBe(true);
  });

  it('follows the configured share and count, and can be turned off', () => {
    expect(deletionGuardHolds(3, 100, { enabled: true, maxShare: 0.01, minCount: 2 })).toBe(true);
    expect(deletionGuardHolds(1000, 1000, { ...defaultDeletionGuard, enabled: false })).toBe(false);
  });
});

describe('through which groups someone is in scope', () => {
  const tree = {
    roots: ['arsen'],
    children: { arsen: ['team', 'squad', 'loop'] },
    nested: { arsen: ['team', 'loop'], team: ['squad'], squad: [], loop: ['arsen'] },
    names: { arsen: 'arsen', team: 'Team', squad: 'Squad', loop: 'Loop' },
    holders: { nina: ['squad'], ada: ['arsen', 'team'] },
  };

  it('runs from the scope group down the nested groups to the one that holds them', () => {
    expect(scopePaths(tree, 'nina')).toEqual([
      [
        { id: 'arsen', displayName: 'arsen' },
        { id: 'team', displayName: 'Team' },
        { id: 'squad', displayName: 'Squad' },
      ],
    ]);
  });

  it('tells every way in, a direct membership of the scope group being the shortest, and survives a cycle', () => {
    expect(scopePaths(tree, 'ada')?.map((path) => path.map((g) => g.id))).toEqual([['arsen'], ['arsen', 'team']]);
  });

  it('is empty for someone the tree does not hold, and unknown for a tree saved before paths were recorded', () => {
    expect(scopePaths(tree, 'olaf')).toEqual([]);
    expect(scopePaths({ roots: ['arsen'], children: { arsen: [] } }, 'nina')).toBeNull();
  });
});
