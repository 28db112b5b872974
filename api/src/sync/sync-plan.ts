import { z } from 'zod';
import { groupTreeSchema } from '../domain';

/** What a run held by the deletion guard saves, to apply on approval. */
export const heldPlanSchema = z.object({
  deactivate: z.array(
    z.object({
      employeeId: z.string(),
      entraObjectId: z.string(),
      email: z.string().nullable(),
      displayName: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  deltaState: z
    .object({
      scopeKey: z.string(),
      usersDeltaLink: z.string().nullable(),
      groupsDeltaLink: z.string().nullable(),
      groupTree: groupTreeSchema.nullable(),
      scopeMemberIds: z.array(z.string()).nullable(),
    })
    .nullable(),
  /** The active employees the guard measured against (before the run); plans saved by earlier versions lack it. */
  activeEmployees: z.number().int().min(0).optional(),
});

export type HeldPlan = z.output<typeof heldPlanSchema>;

/** How many active employees the guard weighed a held run's deactivations against, when its plan says. */
export function guardedActiveEmployees(plan: unknown): number | undefined {
  const parsed = heldPlanSchema.safeParse(plan);
  return parsed.success ? parsed.data.activeEmployees : undefined;
}
