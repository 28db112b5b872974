import type { Server } from 'restify';
import { z } from 'zod';
import { GraphError } from '../../graph';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';
import { connectedTenant } from './connected-tenant';
import type { Group } from '../../contract';

const groupsPageSchema = z.object({
  value: z.array(z.object({ id: z.string(), displayName: z.string().nullish(), description: z.string().nullish() })),
  '@odata.nextLink': z.string().optional(),
});
const PAGE_SIZE = 25;

/** OData string literal: single quotes doubled. */
const odataString = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function serveGroups(server: Server, authenticate: Authenticate, services: ApiServices): void {
  serveRoute(server, 'searchGroups', authenticate, async ({ principal, query }) => {
    const tenantId = await connectedTenant(services, principal.organizationId);
    const graph = services.graphFor(tenantId);
    const groupsBase = `${services.config.microsoft.graphBaseUrl}/v1.0/groups`;

    if (query.ids) return { groups: await namedGroups(graph, query.ids), nextCursor: null };
    // A console whose setup is done may still name its chosen groups, not search the tenant's.
    if (principal.kind === 'onboarding_console' && principal.mode === 'read_only') {
      throw new ApiProblem(403, 'ONBOARDING_SETUP_COMPLETED', 'The Microsoft setup is done: this console can only show the results now.');
    }

    let url: string;
    if (query.cursor) {
      // The cursor is Graph's nextLink: only ever followed back to Graph's /groups.
      const next = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!next.startsWith(`${groupsBase}?`)) throw new ApiProblem(400, 'INVALID_CURSOR', 'This page link is not valid any more. Search again.');
      url = next;
    } else {
      const params = new URLSearchParams({ $select: 'id,displayName,description', $top: String(PAGE_SIZE) });
      if (query.search) params.set('$filter', `startswith(displayName,${odataString(query.search)})`);
      url = `/groups?${params.toString().replace(/\+/g, '%20')}`;
    }

    let page: z.infer<typeof groupsPageSchema>;
    try {
      page = groupsPageSchema.parse(await graph.get(url));
    } catch (error) {
      if (error instanceof GraphError) throw new ApiProblem(502, error.code, `Microsoft Graph refused the group search: ${error.message}`);
      throw error;
    }

    return {
      groups: await withMemberCounts(graph, page.value),
      nextCursor: page['@odata.nextLink'] ? Buffer.from(page['@odata.nextLink'], 'utf8').toString('base64url') : null,
    };
  });
}

type GraphGroup = z.infer<typeof groupsPageSchema>['value'][number];
type Graph = ReturnType<ApiServices['graphFor']>;

/** Member counts in one $batch; a count Graph will not give stays unknown rather than costing the person their search. */
async function withMemberCounts(graph: Graph, groups: readonly GraphGroup[]): Promise<Group[]> {
  const counts = groups.length
    ? await graph.batch<string | number>(groups.map((g) => `/groups/${g.id}/members/$count`), { headers: { ConsistencyLevel: 'eventual' } }).catch(() => [])
    : [];
  return groups.map((g, i) => {
    const count = counts[i];
    const memberCount = count?.ok ? Number(count.body) : NaN;
    return { id: g.id, displayName: g.displayName ?? '(no name)', description: g.description ?? null, memberCount: Number.isFinite(memberCount) ? memberCount : null };
  });
}

/** Chosen groups by id ("Get group", one $batch item each); one deleted since is named so, for the admin to replace. */
async function namedGroups(graph: Graph, ids: readonly string[]): Promise<Group[]> {
  const answers = await graph.batch(ids.map((id) => `/groups/${encodeURIComponent(id)}?$select=id,displayName,description`), { schema: groupsPageSchema.shape.value.element });
  const found: GraphGroup[] = [];
  const gone: Group[] = [];
  answers.forEach((answer, i) => {
    if (answer.ok) found.push(answer.body);
    else if (answer.status === 404) gone.push({ id: ids[i]!, displayName: 'Deleted group (no longer in Entra ID)', description: null, memberCount: null });
    else throw new ApiProblem(502, answer.error.code, `Microsoft Graph refused to name the chosen groups: ${answer.error.message}`);
  });
  return [...(await withMemberCounts(graph, found)), ...gone];
}
