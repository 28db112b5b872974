import type { Server } from 'restify';
import { type SyncRun as StoredRun } from '../../store';
import { SyncError } from '../../sync';
import { pageCursor } from '../page-cursor';
import { ApiProblem } from '../problem';
import { syncRunRepresentation } from '../representations/sync-run';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';
import type { Principal } from '../auth/principal';
import { connectedTenant } from './connected-tenant';
import { streamRunEvents } from './sync-run-events';

const cursor = pageCursor(['queuedAt', 'id'], 'sync history');
const emptyReport = { created: [], updated: [], deactivated: [], reactivated: [], skipped: [], truncated: false };

export function serveSyncRuns(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { store } = services;

  async function runOf(principal: Principal, runId: string | undefined): Promise<StoredRun> {
    const run = runId ? await store.runs.get(runId) : undefined;
    // Another organization's run is as absent as one that never existed; so is, to an onboarding console, a run it did not start.
    const hidden = principal.kind === 'onboarding_console' && !principal.runIds.includes(run?.id ?? '');
    if (!run || run.organizationId !== principal.organizationId || hidden) throw new ApiProblem(404, 'RUN_NOT_FOUND', 'This sync run does not exist in your organization. Open the sync history to pick another.');
    return run;
  }

  serveRoute(server, 'startRun', authenticate, async ({ principal, body, res }) => {
    await connectedTenant(services, principal.organizationId);
    const proposal = body.configuration && { scope: body.configuration.scope, includeGuests: body.configuration.includeGuests, exclusions: body.configuration.exclusions, deletionGuard: body.configuration.deletionGuard };
    const { run, started } = await services.syncJobs.request(principal.organizationId, { trigger: 'manual', dryRun: body.dryRun, full: body.full, ...(proposal ? { proposal } : {}) });
    if (principal.kind === 'onboarding_console') await services.onboardingLinks.claimRun(principal, run.id);
    res.setHeader('location', `/api/sync/runs/${run.id}`);
    if (!started) res.setHeader('x-sync-already-running', 'true');
    return syncRunRepresentation(run);
  });

  serveRoute(server, 'listRuns', authenticate, async ({ principal, query }) => {
    const page = await store.runHistory.page(principal.organizationId, { limit: query.limit, before: cursor.decode(query.cursor) });
    return { runs: page.runs.map(syncRunRepresentation), nextCursor: page.last ? cursor.encode(page.last) : null };
  });

  serveRoute(server, 'getRun', authenticate, async ({ principal, params }) => syncRunRepresentation(await runOf(principal, params.runId)));

  serveRoute(server, 'getRunReport', authenticate, async ({ principal, params }) => {
    const run = await runOf(principal, params.runId);
    return { counts: run.counts, ...(run.report ?? emptyReport) };
  });

  serveRoute(server, 'runEvents', authenticate, async ({ principal, params, req, res }) => {
    const run = await runOf(principal, params.runId);
    await streamRunEvents(services, run, req, res);
  });

  const decide = (decision: 'approve' | 'reject') => async (principal: Principal, runId: string | undefined) => {
    const organizationId = principal.organizationId;
    await runOf(principal, runId);
    try {
      return syncRunRepresentation(await services.sync[decision](organizationId, runId!));
    } catch (error) {
      if (error instanceof SyncError && error.code === 'RUN_NOT_AWAITING_APPROVAL') throw new ApiProblem(409, error.code, error.message);
      throw error;
    }
  };
  serveRoute(server, 'approveRun', authenticate, async ({ principal, params }) => decide('approve')(principal, params.runId));
  serveRoute(server, 'rejectRun', authenticate, async ({ principal, params }) => decide('reject')(principal, params.runId));

  serveRoute(server, 'cancelRun', authenticate, async ({ principal, params }) => {
    const run = await runOf(principal, params.runId);
    if (run.status !== 'queued' && run.status !== 'running') {
      throw new ApiProblem(409, 'RUN_NOT_RUNNING', `This sync is ${run.status.replace('_', ' ')}; only a queued or running sync can be cancelled.`);
    }
    return syncRunRepresentation(await services.syncJobs.cancel(principal.organizationId, run.id));
  });
}

