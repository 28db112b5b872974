/**
 * One page of `items` from `start`: up to `size` accepted items, and where the next page
 * begins (the next accepted item), or null when none is left. Scans in place: no copies
 * of the whole collection.
 */
export function pageOf<T>(items: ArrayLike<T>, start: number, size: number, accept: (item: T) => boolean): { page: T[]; next: number | null } {
  const page: T[] = [];
  let i = start;
  for (; i < items.length && page.length < size; i++) if (accept(items[i]!)) page.push(items[i]!);
  for (; i < items.length; i++) if (accept(items[i]!)) return { page, next: i };
  return { page, next: null };
}

export function countOf<T>(items: ArrayLike<T>, accept: (item: T) => boolean): number {
  let n = 0;
  for (let i = 0; i < items.length; i++) if (accept(items[i]!)) n++;
  return n;
}
