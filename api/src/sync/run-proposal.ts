import { z } from 'zod';
import { deletionGuardSchema, syncScopeSchema } from '../domain';
import type { SyncConfiguration } from '../store';

/**
 * Settings a preview runs on instead of the saved ones ("Preview changes" before "Save
 * changes and sync users"): who is in scope, the filters and the deletion guard. Stored
 * with the run, so whichever instance runs it reads the same settings.
 */
export const runProposalSchema = z.object({
  scope: syncScopeSchema,
  includeGuests: z.boolean(),
  exclusions: z.array(z.string()),
  deletionGuard: deletionGuardSchema,
});
export type RunProposal = z.output<typeof runProposalSchema>;

/** The configuration a run syncs with: the saved one, or the saved one with the preview's proposal over it. */
export function configurationForRun(saved: SyncConfiguration, proposal: unknown): SyncConfiguration {
  if (proposal === null || proposal === undefined) return saved;
  return { ...saved, ...runProposalSchema.parse(proposal) };
}
