import { z } from 'zod';
import { directoryUserFields, directoryUserSchema, resolveNamedGroup, type DirectoryUser, type GroupSummary, type SyncScope } from '../domain';
import type { GraphReader } from './graph-reader';

/**
 * Reads for "Someone missing?": find a person by address or name, the groups they are in,
 * and the scope's groups. Requests as documented on learn.microsoft.com:
 * - users by address: `/users?$filter=mail eq '…' or userPrincipalName eq '…'` ("List users",
 *   and "Use query parameters" → filter); by name: `startswith(displayName,'…')` (also givenName,
 *   surname), all without advanced-query headers (GRAPH_NOTES, Lists and paging);
 * - a user's groups at any depth: `/users/{id}/transitiveMemberOf/microsoft.graph.group`
 *   ("List a user's transitive memberships"; the cast is sent with ConsistencyLevel: eventual
 *   and $count=true, as the page asks for casts).
 */
export const MAX_MATCHES = 10;

const userSelect = directoryUserFields.join(',');
const odataString = (text: string) => `'${text.replace(/'/g, "''")}'`;
const groupSchema = z.object({ id: z.string().min(1), displayName: z.string().nullish().transform((v) => v ?? null) }).loose();
const usersPageSchema = z.object({ value: z.array(directoryUserSchema) }).loose();
const groupsPageSchema = z.object({ value: z.array(groupSchema) }).loose();

/** Up to MAX_MATCHES + 1 people the query may mean (one more tells "there are more"). */
export async function findPeople(reader: GraphReader, query: string): Promise<DirectoryUser[]> {
  const text = query.trim();
  const literal = odataString(text);
  const filter = text.includes('@')
    ? `mail eq ${literal} or userPrincipalName eq ${literal}`
    : `startswith(displayName,${literal}) or startswith(givenName,${literal}) or startswith(surname,${literal})`;
  const path = `/users?$filter=${encodeURIComponent(filter)}&$select=${userSelect}&$top=${MAX_MATCHES + 1}`;
  return (await reader.get(path, { schema: usersPageSchema })).value;
}

/** Every group the person is in, nested ones included. */
export async function groupsOfPerson(reader: GraphReader, userId: string): Promise<GroupSummary[]> {
  const path = `/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999&$count=true`;
  const groups: GroupSummary[] = [];
  for await (const page of reader.pages(path, { schema: groupSchema, headers: { ConsistencyLevel: 'eventual' } })) groups.push(...page.value);
  return groups;
}

/** The scope's root groups as Graph has them now (a chosen group deleted since keeps its id, without a name). */
export async function scopeGroups(reader: GraphReader, scope: SyncScope): Promise<GroupSummary[] | null> {
  if (scope.kind === 'all') return null;
  if (scope.kind === 'group_name') {
    const path = `/groups?$filter=${encodeURIComponent(`displayName eq ${odataString(scope.groupName)}`)}&$select=id,displayName&$top=999`;
    return [resolveNamedGroup(scope.groupName, (await reader.get(path, { schema: groupsPageSchema })).value)];
  }
  const results = await reader.batch(
    scope.groupIds.map((id) => `/groups/${encodeURIComponent(id)}?$select=id,displayName`),
    { schema: groupSchema },
  );
  return results.map((result, i) => {
    if (result.ok) return result.body;
    if (result.status === 404) return { id: scope.groupIds[i]!, displayName: null };
    throw result.error;
  });
}
