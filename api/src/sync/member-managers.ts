import type { DirectoryUser } from '../domain';
import { graphQueries } from './graph-queries';
import { isUserReference, userManagerSchema, withManagerAsRead } from './graph-payloads';
import type { SyncRound } from './sync-round';

/**
 * Adds the manager to a page of group members. `transitiveMembers` cannot expand the
 * manager, so without this a group scope would never sync managers (and switching to
 * all users would then "update" everyone). Only the users this run will still compare
 * with the directory are asked about, 20 to a `$batch` call (the reader splits and retries
 * throttled items); the others pass through unchanged. A user Graph no longer finds (404)
 * was deleted since the listing: it has no manager, and the next round deactivates it.
 * Any other failure stops the run like any Graph failure, so nobody is deactivated.
 */
export async function withMemberManagers(round: SyncRound, users: readonly DirectoryUser[]): Promise<DirectoryUser[]> {
  const ids = [...new Set(users.filter((user) => round.changes.willCompare(user)).map((user) => user.id))];
  if (ids.length === 0) return [...users];
  const answers = await round.reader.batch(ids.map(graphQueries.userManager), { schema: userManagerSchema, signal: round.signal });
  const managers = new Map<string, string | null>();
  answers.forEach((answer, i) => {
    // A contact as manager is no employee: such a user has no manager in the directory.
    if (answer.ok) managers.set(ids[i]!, answer.body.manager && isUserReference(answer.body.manager) ? answer.body.manager.id : null);
    else if (answer.status === 404) managers.set(ids[i]!, null);
    else throw answer.error;
  });
  return users.map((user) => (managers.has(user.id) ? withManagerAsRead(user, managers.get(user.id)!) : user));
}
