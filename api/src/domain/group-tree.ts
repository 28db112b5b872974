/**
 * The nested groups under the scope's root groups, kept for incremental sync: a change
 * in any group of the tree can change who is in scope.
 */
export interface GroupTree {
  roots: string[];
  /** group id → ids of the groups directly or transitively nested in it, as last seen. */
  children: Record<string, string[]>;
}

/** Every group reachable from the roots, roots included. Entra allows cycles (A in B in A): each group is visited once. */
export function groupTreeClosure(tree: GroupTree): Set<string> {
  const seen = new Set<string>();
  const pending = [...tree.roots];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const child of tree.children[id] ?? []) if (!seen.has(child)) pending.push(child);
  }
  return seen;
}

/** The roots whose membership may have changed when the given groups changed. */
export function rootsReaching(tree: GroupTree, changedGroupIds: Iterable<string>): string[] {
  const changed = new Set(changedGroupIds);
  return tree.roots.filter((root) => {
    for (const id of groupTreeClosure({ roots: [root], children: tree.children })) if (changed.has(id)) return true;
    return false;
  });
}
