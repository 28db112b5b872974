import type { SyncRun } from '@users-sync/api/contract';

export interface TrendPoint {
  at: Date;
  active: number;
}

/**
 * Active employees after each applied run, newest count known (today's total) and walked
 * back through the runs: before a run there were `after − created − reactivated + deactivated`.
 * Previews, held, rejected and failed runs changed nobody and are skipped.
 */
export function activeEmployeesOverTime(runsNewestFirst: readonly SyncRun[], activeNow: number): TrendPoint[] {
  const applied = runsNewestFirst.filter((run) => !run.dryRun && run.status === 'succeeded' && run.finishedAt);
  const points: TrendPoint[] = [];
  let after = activeNow;
  for (const run of applied) {
    points.push({ at: new Date(run.finishedAt!), active: after });
    after = Math.max(0, after - run.counts.created - run.counts.reactivated + run.counts.deactivated);
  }
  return points.reverse();
}
