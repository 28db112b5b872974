import { type GraphReader, type GraphPage, GraphError } from '../graph/graph-reader';
import type { DeltaState, Store, SyncConfiguration } from '../store';
import type { DirectoryChanges } from './directory-changes';
import type { RunProgress } from './run-progress';
import { SyncError } from './sync-error';
import { graphQueries } from './graph-queries';
import { parseUser, withManagerAsRead } from './graph-payloads';
import type { DirectoryUser } from '../domain';

/** Everything one pass over Graph needs. */
export interface SyncRound {
  store: Store;
  reader: GraphReader;
  configuration: SyncConfiguration;
  progress: RunProgress;
  changes: DirectoryChanges;
  signal?: AbortSignal;
}

/** The delta state a successful round leaves for the next incremental sync. */
export type DeltaStateDraft = Omit<DeltaState, 'updatedAt'>;

/** The scope and filters the delta state belongs to: when any of them changes, the next sync must be full. */
export function scopeKeyOf(configuration: SyncConfiguration): string {
  return JSON.stringify({ scope: configuration.scope, includeGuests: configuration.includeGuests, exclusions: [...configuration.exclusions].sort() });
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SyncError('SYNC_CANCELLED', 'The sync was cancelled before it finished; nobody was deactivated.');
}

/**
 * Pages of a Graph collection, asking for the next page while the caller writes the
 * current one: reading and writing overlap instead of taking turns.
 */
export async function* readAhead<T>(pages: AsyncIterable<GraphPage<T>>, signal?: AbortSignal): AsyncGenerator<GraphPage<T>> {
  const iterator = pages[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    const result = await next;
    if (result.done) return;
    throwIfCancelled(signal);
    next = iterator.next();
    // Handled when awaited on the next turn; this only keeps an early exit from leaving it unhandled.
    next.catch(() => undefined);
    yield result.value;
  }
}

/** Follows a delta round to its end and returns the deltaLink of its last page. */
export async function deltaLinkOf(reader: GraphReader, path: string, round: Pick<SyncRound, 'progress' | 'signal' | 'store' | 'changes'>): Promise<string> {
  let link: string | undefined;
  for await (const page of reader.pages<unknown>(path, { signal: round.signal })) {
    round.progress.pages += 1;
    if (page.deltaLink) link = page.deltaLink;
  }
  if (!link) throw new SyncError('GRAPH_DELTA_LINK_MISSING', `Microsoft Graph ended ${path.split('?')[0]} without a delta link; try the sync again.`);
  return link;
}

/**
 * Runs `work` on every item, at most `limit` at once. The first failure stops the rest from
 * starting, aborts the `signal` the others were given (so they stop reading Graph for a run
 * that has already failed), and is thrown once they have stopped.
 */
export async function eachConcurrently<T>(items: readonly T[], limit: number, outer: AbortSignal | undefined, work: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const waiting = [...items];
  const failure = new AbortController();
  const signal = outer ? AbortSignal.any([outer, failure.signal]) : failure.signal;
  let first: { error: unknown } | undefined;
  const worker = async () => {
    for (let item = waiting.shift(); item !== undefined && !first; item = waiting.shift()) {
      try {
        await work(item, signal);
      } catch (error) {
        first ??= { error };
        failure.abort();
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (first) throw first.error;
}

/** Lets one caller at a time run: pages read side by side are applied one after the other. */
export class Turns {
  private last: Promise<unknown> = Promise.resolve();

  take<T>(work: () => Promise<T>): Promise<T> {
    const result = this.last.then(work);
    this.last = result.catch(() => undefined);
    return result;
  }
}

/**
 * Reads these users again one by one (a `$batch` item each) with their manager, as a listing
 * reads them, and compares them; those already compared this run are left as they are, and
 * those Graph no longer has (404) are left to whatever removes them.
 */
export async function rereadUsers(round: SyncRound, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const answers = await round.reader.batch(ids.map(graphQueries.userWithManager), { signal: round.signal });
  const users: DirectoryUser[] = [];
  answers.forEach((answer) => {
    if (answer.ok) users.push(withManagerAsRead(parseUser(answer.body)));
    else if (answer.status !== 404) throw answer.error;
  });
  if (users.length > 0) await round.changes.applyUsers(users, round.progress);
}

/**
 * A `$count` Graph answers as text (an advanced query: ConsistencyLevel: eventual), or
 * undefined when Graph will not count here (the query refused, not allowed, not found): the
 * caller then takes the way that needs no count. Throttling and outages stop the run like
 * any other read.
 */
export async function graphCount(round: Pick<SyncRound, 'reader' | 'signal'>, path: string, signal = round.signal): Promise<number | undefined> {
  try {
    const count = Number(await round.reader.get<unknown>(path, { signal, headers: { ConsistencyLevel: 'eventual' } }));
    return Number.isFinite(count) ? count : undefined;
  } catch (error) {
    if (error instanceof GraphError && (error.status === 400 || error.status === 403 || error.status === 404)) return undefined;
    throw error;
  }
}
