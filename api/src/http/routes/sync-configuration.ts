import type { Server } from 'restify';
import type { SyncConfiguration as ContractConfiguration } from '../../contract';
import type { SyncConfiguration as StoredConfiguration } from '../../store';
import { syncRunRepresentation } from '../representations/sync-run';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

function configurationRepresentation(stored: StoredConfiguration): ContractConfiguration {
  return {
    scope: stored.scope,
    includeGuests: stored.includeGuests,
    exclusions: stored.exclusions,
    schedule: stored.schedule,
    deletionGuard: stored.deletionGuard,
  };
}

export function serveSyncConfiguration(server: Server, authenticate: Authenticate, services: ApiServices): void {
  serveRoute(server, 'getConfiguration', authenticate, async ({ principal }) =>
    configurationRepresentation(await services.store.configurations.get(principal.organizationId)),
  );

  // "Save changes and sync users": the new scope is saved, then a sync starts with it.
  serveRoute(server, 'saveConfiguration', authenticate, async ({ principal, body }) => {
    const saved = await services.store.configurations.save(principal.organizationId, {
      scope: body.scope,
      includeGuests: body.includeGuests,
      exclusions: body.exclusions,
      schedule: body.schedule,
      deletionGuard: body.deletionGuard,
    });
    // A group scope also listens to group changes; a scope of all users only to users.
    await services.changeNotifications.ensure(principal.organizationId);
    const connection = await services.store.connections.get(principal.organizationId);
    // A run under way started with the old configuration: it is answered, and another follows it.
    const run =
      connection?.consentState === 'granted' ? (await services.syncJobs.requestSoon(principal.organizationId, { trigger: 'scope_change', dryRun: false, full: false })).run : null;
    // The sync an onboarding console starts is its own: it may follow it, and its success completes the setup.
    if (run && principal.kind === 'onboarding_console') await services.onboardingLinks.claimRun(principal, run.id);
    return { configuration: configurationRepresentation(saved), run: run && syncRunRepresentation(run) };
  });
}
