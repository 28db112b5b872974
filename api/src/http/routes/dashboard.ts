import type { Server } from 'restify';
import type { Dashboard } from '../../contract';
import { scheduledSyncDueAt } from '../../domain';
import { connectionStatusOf } from '../representations/connection-status';
import { syncRunRepresentation } from '../representations/sync-run';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

export function serveDashboard(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { store } = services;

  serveRoute(server, 'dashboard', authenticate, async ({ principal }): Promise<Dashboard> => {
    const organizationId = principal.organizationId;
    const [tally, connection, configuration, [lastRun], [runningRun], [newest]] = await Promise.all([
      store.employeeSearch.tally(organizationId),
      store.connections.get(organizationId),
      store.configurations.get(organizationId),
      store.runs.list(organizationId, { limit: 1, dryRun: false, status: ['succeeded', 'failed', 'awaiting_approval', 'rejected', 'cancelled'] }),
      store.runs.list(organizationId, { limit: 1, status: ['queued', 'running'] }),
      store.runs.list(organizationId, { limit: 1 }),
    ]);
    const bySource: Dashboard['employees']['bySource'] = { microsoft: { active: 0, inactive: 0 }, csv: { active: 0, inactive: 0 }, manual: { active: 0, inactive: 0 } };
    for (const { source, status, count } of tally) bySource[source][status] += count;
    const status = connectionStatusOf(connection?.consentState);
    // The schedule only starts syncs for a connected organization, and looks once a minute: a sync already due starts at the next look.
    const due = status === 'connected' ? scheduledSyncDueAt(newest?.queuedAt ?? null, configuration.schedule) : null;
    const now = Date.parse(store.now());
    return {
      employees: {
        active: bySource.microsoft.active + bySource.csv.active + bySource.manual.active,
        inactive: bySource.microsoft.inactive + bySource.csv.inactive + bySource.manual.inactive,
        bySource,
      },
      connection: { status, tenantName: status === 'not_connected' ? null : ((await store.members.tenantName(organizationId)) ?? null) },
      lastRun: lastRun ? syncRunRepresentation(lastRun) : null,
      runningRun: runningRun ? syncRunRepresentation(runningRun) : null,
      nextScheduledSyncAt: due ? new Date(Math.max(due.getTime(), now)).toISOString() : null,
      scheduleIntervalMinutes: configuration.schedule?.intervalMinutes ?? null,
    };
  });
}
