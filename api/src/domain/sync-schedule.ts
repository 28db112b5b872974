/**
 * When an organization's next scheduled sync is due: its interval after the last sync was
 * queued (whatever started it, so a manual sync pushes the next one back), or at once when
 * it never synced. Null when the schedule is off.
 */
export function scheduledSyncDueAt(lastQueuedAt: string | null, schedule: { intervalMinutes: number } | null): Date | null {
  if (!schedule) return null;
  if (lastQueuedAt === null) return new Date(0);
  return new Date(Date.parse(lastQueuedAt) + schedule.intervalMinutes * 60_000);
}
