import { scheduledSyncDueAt } from '@users-sync/api/domain/index';

describe('when the next scheduled sync is due', () => {
  it('is one interval after the last sync was queued', () => {
    expect(scheduledSyncDueAt('2026-03-01T10:00:00.000Z', { intervalMinutes: 90 })?.toISOString()).toBe('2026-03-01T11:30:00.000Z');
  });

  it('is at once for an organization that never synced', () => {
    expect(scheduledSyncDueAt(null, { intervalMinutes: 60 })?.getTime()).toBe(0);
  });

  it('is never when the schedule is off', () => {
    expect(scheduledSyncDueAt('2026-03-01T10:00:00.000Z', null)).toBeNull();
  });
});
