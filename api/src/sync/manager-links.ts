import { z } from 'zod';
import { graphQueries } from './graph-queries';
import { directMemberSchema, isUserReference } from './graph-payloads';
import { rereadUsers, type SyncRound } from './sync-round';

const directReportsPageSchema = z.object({ value: z.array(directMemberSchema), '@odata.nextLink': z.string().optional() }).loose();

/**
 * Reports of managers who left or came back. When a manager is deleted, the reports' `manager`
 * reads empty in a listing with `$expand=manager` (Graph hides a deleted object behind a
 * navigation property), and a restore shows it again; but user delta tracks only each user's
 * own manager link, so the reports themselves come with no change. An incremental run that
 * sees a manager leave or return (in its scope or not: the reports may be) therefore reads
 * those reports again, one `$batch` item each, and ends where a full sync would. Rare, so
 * cheap: nothing is asked when no manager moved. `inScope`: whether a report belongs to the
 * scope (a group scope's members).
 */
export async function rereadReportsOfLeavingManagers(round: SyncRound, leaving: readonly string[], inScope: (id: string) => boolean): Promise<void> {
  if (leaving.length === 0) return;
  const gone = new Set(leaving);
  const reports = await round.store.employees.activeReportsOf(round.configuration.organizationId, leaving);
  await rereadUsers(round, reports.filter((id) => inScope(id) && !gone.has(id)));
}

/** The direct reports of managers who came back ("List directReports", 20 managers to a `$batch` call; a long list pages on). */
export async function rereadReportsOfReturningManagers(round: SyncRound, returning: readonly string[], inScope: (id: string) => boolean): Promise<void> {
  if (returning.length === 0) return;
  const { reader, signal } = round;
  const reports = new Set<string>();
  const answers = await reader.batch(returning.map(graphQueries.directReports), { schema: directReportsPageSchema, signal });
  for (const answer of answers) {
    if (!answer.ok) {
      if (answer.status === 404) continue; // deleted again since
      throw answer.error;
    }
    for (const report of answer.body.value) if (isUserReference(report)) reports.add(report.id);
    const next = answer.body['@odata.nextLink'];
    if (next) for await (const page of reader.pages(next, { schema: directMemberSchema, signal })) for (const report of page.value) if (isUserReference(report)) reports.add(report.id);
  }
  await rereadUsers(round, [...reports].filter(inScope));
}
