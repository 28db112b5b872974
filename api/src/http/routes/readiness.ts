import type { Server } from 'restify';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

/** `/healthz` says the process lives; `/readyz` says it can serve (a load balancer stops sending requests meanwhile). */
export function serveReadiness(server: Server, authenticate: Authenticate, services: ApiServices): void {
  serveRoute(server, 'readiness', authenticate, async () => {
    if (!(await services.store.answers())) {
      throw new ApiProblem(503, 'DATABASE_UNAVAILABLE', 'The database does not answer. Syncs and requests resume by themselves once it does.');
    }
    return { status: 'ready' as const, database: 'ok' as const };
  });
}
