import type { EventEmitter } from 'node:events';
import type { GraphReader } from '../graph/graph-reader';
import type { Repositories, SyncCounts, SyncPhase } from '../store';
import { runTakenOver } from './sync-error';

/** What a live run reports after each Graph page and each phase change. */
export interface SyncProgressEvent {
  runId: string;
  organizationId: string;
  phase: SyncPhase;
  usersRead: number;
  pages: number;
  graphRequests: number;
  counts: SyncCounts;
}

/**
 * Keeps the run record current as pages arrive (phase, users read, pages, Graph
 * requests), so the tab and the bot can show a long sync moving.
 */
export class RunProgress {
  phase: SyncPhase = 'resolving_scope';
  usersRead = 0;
  pages = 0;
  private readonly requestsBefore: number;
  private lastWritten = 0;

  constructor(
    private readonly runId: string,
    private readonly organizationId: string,
    private readonly reader: GraphReader,
    private readonly events: EventEmitter,
  ) {
    this.requestsBefore = reader.requestCount;
  }

  get graphRequests(): number {
    return this.reader.requestCount - this.requestsBefore;
  }

  /** Writes the progress (inside the caller's transaction when given) and tells listeners. */
  async record(runs: Repositories['runs'], counts: SyncCounts): Promise<void> {
    // Conditional, so a run declared interrupted rolls back the page it was writing.
    const alive = await runs.transition(this.runId, 'running', { phase: this.phase, counts, progress: { usersRead: this.usersRead, pages: this.pages, graphRequests: this.graphRequests } });
    if (!alive) throw runTakenOver(this.runId);
    this.lastWritten = Date.now();
    this.tell(counts);
  }

  /**
   * After a page that wrote nothing: listeners hear of it at once; the run record is written
   * when it is older than `writeEveryMs`, so a run of a thousand unchanged pages does not
   * commit a thousand times to say so.
   */
  async pageRead(runs: Repositories['runs'], counts: SyncCounts, writeEveryMs = 1_000): Promise<void> {
    if (Date.now() - this.lastWritten >= writeEveryMs) await this.record(runs, counts);
    else this.tell(counts);
  }

  private tell(counts: SyncCounts): void {
    const event: SyncProgressEvent = {
      runId: this.runId,
      organizationId: this.organizationId,
      phase: this.phase,
      usersRead: this.usersRead,
      pages: this.pages,
      graphRequests: this.graphRequests,
      counts: { ...counts },
    };
    this.events.emit('progress', event);
  }
}
