import { z } from 'zod';
import { type DirectoryUser, directoryUserSchema } from '../domain';
import { GraphError } from '../graph/graph-reader';

export const groupSummarySchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().nullish().transform((v) => v ?? null),
    groupTypes: z.array(z.string()).nullish(),
  })
  .loose();

/**
 * A Microsoft 365 group (`groupTypes` has `Unified`) holds only users: Graph refuses the
 * `microsoft.graph.group` cast on it (400 Request_UnsupportedQuery,
 * https://learn.microsoft.com/graph/api/group-list-transitivemembers), so there are no
 * nested groups to ask for. Only security groups nest.
 */
export function isMicrosoft365Group(group: { groupTypes?: readonly string[] | null }): boolean {
  return (group.groupTypes ?? []).some((type) => type.toLowerCase() === 'unified');
}

const memberDeltaSchema = z
  .object({
    id: z.string().min(1),
    '@odata.type': z.string().optional(),
    '@removed': z.object({ reason: z.string().optional() }).loose().optional(),
  })
  .loose();

/** A direct member of a group (user, group, device, contact…): its type says which. */
export const directMemberSchema = z.object({ id: z.string().min(1), '@odata.type': z.string().optional(), displayName: z.string().nullish() }).loose();

/** A group in a groups/delta round: changed properties, member changes, or a removal. */
export const groupDeltaSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().nullish(),
    'members@delta': z.array(memberDeltaSchema).optional(),
    '@removed': z.object({ reason: z.string().optional() }).loose().optional(),
  })
  .loose();

export type GroupDelta = z.output<typeof groupDeltaSchema>;

/** Parses one item of a Graph page; an odd payload stops the run with a clear error instead of being half-read. */
export function parseGraphItem<S extends z.ZodType>(schema: S, item: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new GraphError(
    502,
    'UnexpectedGraphResponse',
    `Microsoft Graph sent ${what} we cannot read (${issue ? `${issue.path.join('.') || 'item'}: ${issue.message}` : 'invalid'}). Nothing was changed for it; try again later.`,
  );
}

export const parseUser = (item: unknown): DirectoryUser => withoutContactManager(parseGraphItem(directoryUserSchema, item, 'a user'));

const userType = '#microsoft.graph.user';

/** Whether a manager reference names a user: Graph marks an organizational contact `#microsoft.graph.orgContact`. */
export function isUserReference(reference: unknown): boolean {
  if (typeof reference !== 'object' || reference === null) return false;
  const type = (reference as { '@odata.type'?: unknown })['@odata.type'];
  return type === undefined || (typeof type === 'string' && type.toLowerCase() === userType);
}

/**
 * A manager can be an organizational contact (https://learn.microsoft.com/graph/api/user-list-manager):
 * a contact is not an employee, so for the directory such a user has no manager. A `manager@delta`
 * that ends on a contact reads as "no manager" the same way.
 */
function withoutContactManager(user: DirectoryUser): DirectoryUser {
  const delta = user['manager@delta'];
  const last = Array.isArray(delta) ? delta[delta.length - 1] : delta;
  if (last && !('@removed' in last) && !isUserReference(last)) return { ...user, 'manager@delta': [] };
  if (user.manager && !isUserReference(user.manager)) return { ...user, manager: null };
  return user;
}

/** The answer to graphQueries.userManager: Graph leaves `manager` out when the user has none. */
export const userManagerSchema = z.object({ id: z.string().min(1), manager: z.object({ id: z.string().min(1) }).loose().nullish() }).loose();

/**
 * A user from a read that asked for the manager ($expand=manager): Graph leaves an empty
 * expansion out, so no manager in the answer means the user has none, which must reach
 * the directory like any other attribute (and not read as "nothing said", see carriesManager).
 */
export function withManagerAsRead(user: DirectoryUser, managerId: string | null = user.manager?.id ?? null): DirectoryUser {
  return { ...user, manager: managerId === null ? null : { id: managerId } };
}

/** Whether Graph told us anything about the user's manager in this payload (a delta entry may say nothing about it). */
export function carriesManager(item: DirectoryUser): boolean {
  return 'manager' in item || 'manager@delta' in item;
}
