import { z } from 'zod';
import type { GroupSummary } from './scope';

/**
 * The nested groups under the scope's root groups, kept for incremental sync: a change
 * in any group of the tree can change who is in scope. A full sync also records the
 * direct nesting, the names and which groups hold each member directly, so the tab can
 * show through which group someone is in scope (states saved before that lack them).
 */
export interface GroupTree {
  roots: string[];
  /** group id → ids of the groups directly or transitively nested in it, as last seen. */
  children: Record<string, string[]>;
  /** group id → ids of the groups directly nested in it. */
  nested?: Record<string, string[]>;
  /** group id → display name, as last read. */
  names?: Record<string, string | null>;
  /** user id → the groups of the tree that hold the user directly. */
  holders?: Record<string, string[]>;
}

const idLists = z.record(z.string(), z.array(z.string()));
export const groupTreeSchema = z.object({
  roots: z.array(z.string()),
  children: idLists,
  nested: idLists.optional(),
  names: z.record(z.string(), z.string().nullable()).optional(),
  holders: idLists.optional(),
});

/** At most this many paths are told for one person: enough to show how they are in scope. */
const MAX_PATHS = 10;

/**
 * The ways a user is in scope: each path runs from a root group down the direct nesting to
 * a group that holds the user directly (a user directly in a root has a path of one).
 * Null when the tree does not record direct nesting (saved before it did).
 */
export function scopePaths(tree: GroupTree, userId: string): GroupSummary[][] | null {
  if (!tree.nested || !tree.holders) return null;
  const holders = new Set(tree.holders[userId] ?? []);
  const paths: string[][] = [];
  const walk = (path: string[]) => {
    if (paths.length >= MAX_PATHS) return;
    const here = path[path.length - 1]!;
    if (holders.has(here)) paths.push(path);
    // Entra allows cycles: a group never appears twice on one path.
    for (const child of tree.nested?.[here] ?? []) if (!path.includes(child)) walk([...path, child]);
  };
  for (const root of tree.roots) walk([root]);
  return paths.map((path) => path.map((id) => ({ id, displayName: tree.names?.[id] ?? null })));
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
