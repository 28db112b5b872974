import type { DirectoryUser } from '../domain';
import { graphQueries } from './graph-queries';
import { isUserReference, userManagerSchema, withManagerAsRead } from './graph-payloads';
import { type SyncRound, graphCount } from './sync-round';

/**
 * Resource units of the two ways to learn group members' managers
 * (https://learn.microsoft.com/graph/throttling-limits, identity and access): a `$batch` item
 * `users/{id}?$select=id&$expand=manager` costs 1 per member; a page of the tenant-wide
 * listing `users?$select=id&$expand=manager` costs 2 and holds at most 100 users (`$expand`
 * caps pages at 100, Graph known issue 13635).
 */
const unitsPerBatchItem = 1;
const unitsPerListingPage = 2;
const usersPerExpandedPage = 100;

/**
 * UPN prefixes the tenant-wide listing is read by, concurrently. Users whose UPN starts
 * otherwise are not lost: a member the listing did not cover is asked about on its own.
 */
const listingPartitions = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
/**
 * Up to this many members, one `$batch` item each without weighing the listing: the listing
 * costs at least one request a partition (72 units), so it cannot win. Above it the two are
 * weighed (one `/users/$count` request): a scope of 2,000 members in a tenant of 4,000 costs
 * 152 units by the listing against 2,000 by `$batch`.
 */
const membersTheListingCannotBeat = listingPartitions.length * unitsPerListingPage;
/** Partitions read side by side: as many as the reader lets requests be in flight by default. */
const partitionsInFlight = 4;

/**
 * Adds the manager to pages of group members, the cheaper way for the scope at hand.
 * `transitiveMembers` cannot expand the manager, so without this a group scope would never
 * sync managers (and switching to all users would then "update" everyone).
 *
 * For a few members, one `$batch` item each (20 to a call; throttled items retried by the
 * reader). When the scope's members would cost more resource units that way than reading
 * every enabled user's manager from the tenant-wide listing, the listing is read once,
 * in UPN partitions side by side, and the members' managers are looked up in it: a group
 * scope of 50,000 members then costs about a thousand requests, not 2,500 `$batch` calls
 * carrying 50,000 resource units that Graph's normal throttling cannot absorb.
 *
 * Only the users this run will still compare with the directory are asked about; the others
 * pass through unchanged. A user Graph no longer finds (404) was deleted since the listing:
 * it has no manager, and the next round deactivates it. Any other failure stops the run like
 * any Graph failure, so nobody is deactivated. A contact as manager is no employee: such a
 * user has no manager in the directory.
 */
export class MemberManagers {
  private managers: Map<string, string | null> | null = null;
  private decided = false;
  private announced = 0;

  /**
   * `expectedMembers`: the members of all the scope's groups, when counted before reading them.
   * Without it the decision rests on the first page's count, which is one group's.
   */
  constructor(
    private readonly round: SyncRound,
    private readonly expectedMembers = 0,
  ) {}

  /**
   * `memberCount`: how many users the scope's member listing announced (`@odata.count` of its
   * first page), when known; it decides between the two ways on the first page.
   */
  async add(users: readonly DirectoryUser[], memberCount: number | undefined): Promise<DirectoryUser[]> {
    this.announced += memberCount ?? 0;
    const ids = [...new Set(users.filter((user) => this.round.changes.willCompare(user)).map((user) => user.id))];
    if (ids.length === 0) return [...users];
    if (!this.decided) {
      this.decided = true;
      if (await this.listingIsCheaper(Math.max(this.announced, ids.length, this.expectedMembers))) this.managers = await this.readListing();
    }
    const known = new Map<string, string | null>();
    const unknown: string[] = [];
    for (const id of ids) {
      if (this.managers?.has(id)) known.set(id, this.managers.get(id)!);
      else unknown.push(id);
    }
    for (const [id, manager] of await this.askEach(unknown)) known.set(id, manager);
    return users.map((user) => (known.has(user.id) ? withManagerAsRead(user, known.get(user.id)!) : user));
  }

  /** Compares resource units; the tenant's size costs one `/users/$count` request, asked only when the listing could be the cheaper. */
  private async listingIsCheaper(members: number): Promise<boolean> {
    if (members * unitsPerBatchItem <= membersTheListingCannotBeat) return false;
    // Not counted (Graph refused): the members are asked about by $batch.
    const tenantUsers = await graphCount(this.round, graphQueries.enabledUserCount);
    if (tenantUsers === undefined) return false;
    const listing = (Math.ceil(tenantUsers / usersPerExpandedPage) + listingPartitions.length) * unitsPerListingPage;
    return listing < members * unitsPerBatchItem;
  }

  /** Every enabled user's manager, from the listing read in UPN partitions, a few side by side. */
  private async readListing(): Promise<Map<string, string | null>> {
    const managers = new Map<string, string | null>();
    const waiting = [...listingPartitions];
    const readPartitions = async () => {
      for (let prefix = waiting.shift(); prefix !== undefined; prefix = waiting.shift()) {
        for await (const page of this.round.reader.pages(graphQueries.enabledUsersWithManagers(prefix), { schema: userManagerSchema, signal: this.round.signal })) {
          this.round.progress.pages += 1;
          for (const user of page.value) managers.set(user.id, user.manager && isUserReference(user.manager) ? user.manager.id : null);
        }
      }
    };
    await Promise.all(Array.from({ length: partitionsInFlight }, readPartitions));
    return managers;
  }

  private async askEach(ids: string[]): Promise<Map<string, string | null>> {
    const managers = new Map<string, string | null>();
    if (ids.length === 0) return managers;
    const answers = await this.round.reader.batch(ids.map(graphQueries.userManager), { schema: userManagerSchema, signal: this.round.signal });
    answers.forEach((answer, i) => {
      if (answer.ok) managers.set(ids[i]!, answer.body.manager && isUserReference(answer.body.manager) ? answer.body.manager.id : null);
      else if (answer.status === 404) managers.set(ids[i]!, null);
      else throw answer.error;
    });
    return managers;
  }
}
