import { z } from 'zod';
import type { DirectoryUser } from '../domain';
import { graphQueries } from './graph-queries';
import { directMemberSchema, isUserReference, parseUser, withManagerAsRead } from './graph-payloads';
import type { SyncRound } from './sync-round';

const directReportsPageSchema = z.object({ value: z.array(directMemberSchema), '@odata.nextLink': z.string().optional() }).loose();

/**
 * Reports of managers who left or came back. When a manager is deleted, the reports' `manager`
 * reads empty in a listing with `$expand=manager` (Graph hides a deleted object behind a
 * navigation property), and a restore shows it again; but user delta tracks only each user's
 * own manager link, so the reports themselves come with no change. An incremental run that
 * sees a manager leave or return (in its scope or not: the reports may be) therefore reads
 * those reports again, one `$batch` item each, and ends where a full sync would. Rare, so
 * cheap: nothing is asked when no manager moved.
 *
 * `leaving`: ids delta removed; `returning`: ids delta brought back that the directory holds
 * inactive. `inScope`: whether a report belongs to the scope (a group scope's members).
 */
export async function rereadReportsOfMovedManagers(round: SyncRound, leaving: readonly string[], returning: readonly string[], inScope: (id: string) => boolean): Promise<void> {
  const { store, reader, changes, signal } = round;
  const organizationId = round.configuration.organizationId;
  const reports = new Set(await store.employees.activeReportsOf(organizationId, leaving));
  // Direct reports of those who came back, 20 managers to a $batch call; a long list pages on.
  const answers = returning.length > 0 ? await reader.batch(returning.map(graphQueries.directReports), { schema: directReportsPageSchema, signal }) : [];
  for (const answer of answers) {
    if (!answer.ok) {
      if (answer.status === 404) continue; // deleted again since
      throw answer.error;
    }
    for (const report of answer.body.value) if (isUserReference(report)) reports.add(report.id);
    const next = answer.body['@odata.nextLink'];
    if (next) for await (const page of reader.pages(next, { schema: directMemberSchema, signal })) for (const report of page.value) if (isUserReference(report)) reports.add(report.id);
  }
  const gone = new Set(leaving);
  const ids = [...reports].filter((id) => inScope(id) && !gone.has(id));
  if (ids.length === 0) return;
  const reread = await reader.batch(ids.map(graphQueries.userWithManager), { signal });
  const users: DirectoryUser[] = [];
  reread.forEach((answer) => {
    if (answer.ok) users.push(withManagerAsRead(parseUser(answer.body)));
    // Gone since: delta brings the removal, a later round deactivates them.
    else if (answer.status !== 404) throw answer.error;
  });
  await changes.applyUsers(users, round.progress);
}
