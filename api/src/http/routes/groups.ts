import type { Server } from 'restify';
import { z } from 'zod';
import { GraphError } from '../../graph';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';
import { connectedTenant } from './connected-tenant';

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

    // Member counts in one $batch per page; a count Graph will not give stays unknown
    // rather than costing the person their search.
    const counts = page.value.length
      ? await graph
          .batch<string | number>(
            page.value.map((g) => `/groups/${g.id}/members/$count`),
            { headers: { ConsistencyLevel: 'eventual' } },
          )
          .catch(() => [])
      : [];
    return {
      groups: page.value.map((g, i) => {
        const count = counts[i];
        const memberCount = count?.ok ? Number(count.body) : NaN;
        return { id: g.id, displayName: g.displayName ?? '(no name)', description: g.description ?? null, memberCount: Number.isFinite(memberCount) ? memberCount : null };
      }),
      nextCursor: page['@odata.nextLink'] ? Buffer.from(page['@odata.nextLink'], 'utf8').toString('base64url') : null,
    };
  });
}
