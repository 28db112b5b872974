import { once } from 'node:events';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** Pages of WAL after which the connection that commits copies them back itself (SQLite's checkpoint on commit). */
export const checkpointOnCommitPages = 10_000;
/**
 * While the background thread checkpoints: only a backstop (1 GB of WAL), should the thread fall
 * behind for a long time — the thread itself keeps the WAL to a few commits.
 */
const backstopPages = 262_144;
/** WAL size from which checkpoints move to the background thread: a store that never writes much never starts one. */
const backgroundFromBytes = 16 * 1024 * 1024;
/** How often the thread copies what was committed back to the database. */
const checkpointEveryMs = 100;

/**
 * The background thread: its own connection to the same file, a PASSIVE checkpoint every few
 * milliseconds (it waits for no reader or writer: https://www.sqlite.org/c3ref/wal_checkpoint_v2.html),
 * telling the store each time it copied frames back. Plain JavaScript run with `eval`, so
 * the thread loads nothing but the SQLite driver.
 */
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
let copied = 0;
const timer = setInterval(() => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  if (result.checkpointed > 0 && result.checkpointed !== copied) parentPort.postMessage({ copiedFrames: result.checkpointed });
  copied = result.checkpointed;
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Where the WAL of a SQLite store is copied back into the database. SQLite checkpoints on
 * the commit that finds the WAL past its limit, on the committing connection: a sync writing
 * a large directory spent about 1 s of its 100,000-user first run on the event loop copying
 * pages back (the indexes on Entra id and email take random inserts, so each commit rewrites
 * most of their pages). Once a store's WAL has grown past 16 MB, a thread with its own
 * connection checkpoints instead, beside the event loop, and the store's connection keeps
 * only a distant backstop. Should the thread fail, checkpoints go back to the commits.
 */
export class WalCheckpoints {
  private thread: Worker | null = null;
  private failed = false;
  private closing = false;
  /** Checkpoints the background thread made that copied frames (tests, benchmarks). */
  backgroundCheckpoints = 0;

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly file: string,
    private readonly onFailure: (error: Error) => void = () => {},
  ) {}

  get inBackground(): boolean {
    return this.thread !== null;
  }

  /** After a commit: a WAL grown past 16 MB hands its checkpoints to the background thread from now on. */
  afterCommit(): void {
    if (this.thread || this.failed || this.closing) return;
    let size: number;
    try {
      size = statSync(`${this.file}-wal`).size;
    } catch {
      return;
    }
    if (size >= backgroundFromBytes) this.start();
  }

  async close(): Promise<void> {
    this.closing = true;
    const thread = this.thread;
    if (!thread) return;
    // Its connection must close before the store's: the last connection to close checkpoints and removes the WAL.
    const exited = once(thread, 'exit');
    // Held until it has gone, so the process waits for its connection to close.
    thread.ref();
    thread.postMessage('close');
    await exited;
    this.thread = null;
  }

  private start(): void {
    const thread = new Worker(threadSource, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file: this.file, everyMs: checkpointEveryMs } });
    // The thread never keeps the process alive; closing the store ends it.
    thread.unref();
    thread.on('message', () => (this.backgroundCheckpoints += 1));
    thread.on('error', (error) => this.fail(error));
    thread.on('exit', () => {
      if (!this.closing) this.fail(new Error('the WAL checkpoint thread stopped'));
    });
    this.thread = thread;
    this.sqlite.pragma(`wal_autocheckpoint = ${backstopPages}`);
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.thread = null;
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${checkpointOnCommitPages}`);
    this.onFailure(error);
  }
}
