import type { SyncRun } from '@users-sync/api/contract';

export interface RunWatchSettings {
  /** How often the run is read while it goes on. */
  intervalMs: number;
  /** After this long the card says to follow the run in the tab instead. */
  giveUpAfterMs: number;
}

export const defaultRunWatch: RunWatchSettings = { intervalMs: 2000, giveUpAfterMs: 2 * 60 * 60 * 1000 };

const settled = (run: SyncRun) => run.status !== 'queued' && run.status !== 'running';
const progressKey = (run: SyncRun) => `${run.status}|${run.progress.phase ?? ''}|${run.progress.usersRead}|${run.progress.pages}`;

/**
 * Follows a run until it settles, calling `onChange` each time its progress moves (not on
 * every read, so Teams is not asked to redraw an unchanged card). Resolves with the
 * settled run, or undefined when it gave up.
 */
export async function watchRun(first: SyncRun, read: (runId: string) => Promise<SyncRun>, onChange: (run: SyncRun) => Promise<void>, settings: RunWatchSettings): Promise<SyncRun | undefined> {
  let run = first;
  let shown = progressKey(first);
  const deadline = Date.now() + settings.giveUpAfterMs;
  while (!settled(run)) {
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, settings.intervalMs));
    run = await read(run.id);
    if (!settled(run) && progressKey(run) !== shown) {
      shown = progressKey(run);
      await onChange(run);
    }
  }
  return run;
}
