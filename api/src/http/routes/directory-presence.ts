import type { Server } from 'restify';
import type { PresenceAnswer } from '../../contract';
import { chooseCandidate, DomainError, explainPresence, needsGroupsOf, usableEmail, type DirectoryUser, type StoredPresence } from '../../domain';
import { findPeople, groupsOfPerson, MAX_MATCHES, scopeGroups } from '../../graph/directory-lookup';
import { GraphError } from '../../graph';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';
import { connectedTenant } from './connected-tenant';

const person = (user: DirectoryUser): PresenceAnswer['matches'][number] => ({
  entraObjectId: user.id,
  displayName: user.displayName,
  email: usableEmail(user),
  userPrincipalName: user.userPrincipalName,
  accountEnabled: user.accountEnabled ?? null,
  userType: user.userType,
});

export function serveDirectoryPresence(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { store } = services;

  serveRoute(server, 'whyInDirectory', authenticate, async ({ principal, query }): Promise<PresenceAnswer> => {
    const organizationId = principal.organizationId;
    const graph = services.graphFor(await connectedTenant(services, organizationId));
    const configuration = await store.configurations.get(organizationId);
    try {
      const found = await findPeople(graph, query.query);
      const choice = chooseCandidate(query.query, found);
      const roots = configuration.scope.kind === 'all' ? null : await scopeGroups(graph, configuration.scope);
      const groups = needsGroupsOf(choice, configuration) ? await groupsOfPerson(graph, choice.user.id) : null;
      const employee = choice.kind === 'one' ? await store.employees.findByEntraObjectId(organizationId, choice.user.id) : undefined;
      let stored: StoredPresence | null = null;
      if (employee) {
        const changes = await store.changes.list(organizationId, { employeeId: employee.id });
        const last = changes[changes.length - 1];
        stored = {
          employeeId: employee.id,
          status: employee.status,
          lastSyncedAt: employee.lastSyncedAt,
          deactivatedAt: employee.deactivatedAt,
          lastChange: last ? { at: last.at, runId: last.runId, action: last.action } : null,
        };
      }
      const explanation = explainPresence({ query: query.query, choice, configuration, scopeGroups: roots, groupsOfPerson: groups, stored });
      const matches = choice.kind === 'several' ? choice.users : [];
      return {
        query: query.query,
        verdict: explanation.verdict,
        message: explanation.message,
        person: choice.kind === 'one' ? person(choice.user) : null,
        matches: matches.slice(0, MAX_MATCHES).map(person),
        moreMatches: matches.length > MAX_MATCHES,
        scope: { kind: configuration.scope.kind, description: explanation.scopeDescription },
        groups: explanation.groups.map((g) => ({ id: g.id, displayName: g.displayName })),
        exclusion: explanation.exclusion,
        employee: stored && {
          id: stored.employeeId,
          status: stored.status,
          lastSyncedAt: stored.lastSyncedAt,
          deactivatedAt: stored.deactivatedAt,
          lastChange: stored.lastChange,
        },
      };
    } catch (error) {
      // The scope itself cannot be resolved (its group is gone or ambiguous): the admin fixes the scope first.
      if (error instanceof DomainError) throw new ApiProblem(409, error.code, error.message);
      if (error instanceof GraphError) throw new ApiProblem(502, error.code, `Microsoft Graph could not answer who this is: ${error.message}`);
      throw error;
    }
  });
}
