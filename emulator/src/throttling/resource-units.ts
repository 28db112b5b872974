import { queryOption, type EmulatorRequest } from '../http/request';
import type { CostClass } from '../graph/graph-route';

const BASE: Record<CostClass, number> = { users: 2, members: 3, transitiveMembers: 5, other: 1, write: 1 };

/**
 * Resource units a call costs (GRAPH_NOTES): base by endpoint, `$select` −1, `$expand` +1,
 * `$top` under 20 −1, never below 1. Links carrying a token (nextLink, deltaLink) keep the
 * options they were built from: a `$select` baked into a delta token still counts.
 */
export function resourceUnits(cost: CostClass, request: EmulatorRequest): number {
  let units = BASE[cost];
  const hasSelect = queryOption(request.url, '$select') !== undefined || /"s":\[/.test(tokenText(request));
  if (hasSelect) units -= 1;
  if (queryOption(request.url, '$expand') !== undefined) units += 1;
  const top = Number(queryOption(request.url, '$top'));
  if (Number.isFinite(top) && top > 0 && top < 20) units -= 1;
  return Math.max(1, units);
}

function tokenText(request: EmulatorRequest): string {
  const token = queryOption(request.url, '$skiptoken') ?? queryOption(request.url, '$deltatoken');
  if (!token || token === 'latest') return '';
  try {
    return Buffer.from(token, 'base64url').toString('utf8');
  } catch {
    return '';
  }
}
