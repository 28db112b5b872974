import type { EmulatorRequest } from '../http/request';
import type { Reply } from '../http/reply';
import type { GraphPrincipal } from './graph-principal';

/** The base resource-unit cost class of a Graph call (GRAPH_NOTES: throttling). */
export type CostClass = 'users' | 'members' | 'transitiveMembers' | 'other' | 'write';

export interface GraphRoute {
  cost: CostClass;
  handle(request: EmulatorRequest, principal: GraphPrincipal): Reply | Promise<Reply>;
}
