import { z } from 'zod';

/** A run that would deactivate more than `maxShare` of the active employees and at least `minCount` people waits for an admin. */
export const deletionGuardSchema = z.object({
  enabled: z.boolean().default(true),
  maxShare: z.number().min(0).max(1).default(0.2),
  minCount: z.number().int().min(1).default(10),
});

export type DeletionGuard = z.output<typeof deletionGuardSchema>;

export const defaultDeletionGuard: DeletionGuard = { enabled: true, maxShare: 0.2, minCount: 10 };

/** Whether the guard could hold this many deactivations, whatever the size of the directory. */
export function deletionGuardMayHold(wouldDeactivate: number, guard: DeletionGuard): boolean {
  return guard.enabled && wouldDeactivate >= guard.minCount;
}

export function deletionGuardHolds(wouldDeactivate: number, activeEmployees: number, guard: DeletionGuard): boolean {
  return deletionGuardMayHold(wouldDeactivate, guard) && wouldDeactivate > guard.maxShare * activeEmployees;
}

export function deletionGuardReason(wouldDeactivate: number, activeEmployees: number, guard: DeletionGuard): string {
  const share = activeEmployees === 0 ? 100 : Math.round((wouldDeactivate / activeEmployees) * 100);
  return (
    `This sync would deactivate ${wouldDeactivate} of ${activeEmployees} active employees (${share}%), ` +
    `above the deletion guard (${Math.round(guard.maxShare * 100)}% and at least ${guard.minCount}). ` +
    'An admin must approve it before anyone is deactivated.'
  );
}
