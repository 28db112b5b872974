import restify, { type Server } from 'restify';
import type { ApiRuntime } from '../composition';
import { serveGraphNotifications } from './routes/graph-notifications';
import { createHttpServer } from '../service';
import { createAuthenticator } from './auth/authenticate';
import { limitFailedAuthentications } from './auth/failed-authentications';
import { withBotCallers } from './auth/bot-caller';
import { serveBotConversations } from './routes/bot-conversations';
import { storeMemberDirectory } from './auth/store-member-directory';
import { buildOpenApiDocument } from './openapi';
import { ApiProblem, sendProblem } from './problem';
import { serveEmployees } from './routes/employees';
import { serveGroups } from './routes/groups';
import { serveMe } from './routes/me';
import { serveOrganizationOwnership } from './routes/organization-ownership';
import { serveReadiness } from './routes/readiness';
import { serveMicrosoftConnection } from './routes/microsoft-connection';
import { serveSyncConfiguration } from './routes/sync-configuration';
import { serveSyncRuns } from './routes/sync-runs';
import { serveTabSettings } from './routes/tab-settings';
import { serveDashboard } from './routes/dashboard';
import { serveDirectoryPresence } from './routes/directory-presence';
import { serveTab } from './tab-site';
import { securityHeaders } from './security-headers';
import { BODY_LIMIT_BYTES } from './typed-routes';
import { serveOnboardingLinks } from './routes/onboarding-links';
import { serveCsvImport } from './routes/csv-import';
import { serveAccountPeople } from './routes/account-people';

export interface ApiApp extends ApiRuntime {
  server: Server;
}

/** Serves the api's routes over the services the composition root built. */
export function createApiApp(runtime: ApiRuntime, version: string): ApiApp {
  const { services } = runtime;
  const { config, logger, store } = services;
  const members = createAuthenticator(services.verifyEntraToken, storeMemberDirectory(store, services.detectProvider, logger), services.onboardingLinks);
  const authenticate = limitFailedAuthentications(withBotCallers(members, { sharedSecret: config.notifySecret, store }), services.failedAuthentications, services.clientAddress);

  // Bodies are read by each route once its caller is authenticated (typed-routes), never before.
  const server = createHttpServer({ service: 'api', version, logger, continueAfterAuthentication: true, headers: securityHeaders({ publicUrl: config.publicUrl }) });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.on('restifyError', (req, res, error: Error & { statusCode?: number; body?: { code?: string } }, callback: () => void) => {
    // restify's own refusals (malformed JSON, body too large, unsupported type) as problems.
    const status = error.statusCode ?? 500;
    const detail =
      status === 413
        ? `The request body is larger than ${BODY_LIMIT_BYTES / (1024 * 1024)} MB.`
        : status === 404
          ? `Nothing is served at ${req.method} ${req.url}.`
          : status === 405
            ? `${req.method} is not allowed on ${req.url}.`
            : status === 400
              ? `The request body could not be read (${error.message}). Send a JSON object.`
              : error.message;
    sendProblem(req, res, new ApiProblem(status, error.body?.code ?? (status === 400 ? 'MALFORMED_BODY' : 'HTTP_ERROR'), detail));
    return callback();
  });

  const openApi = buildOpenApiDocument(version);
  server.get('/api/openapi.json', (_req, res, next) => {
    res.send(200, openApi);
    next();
  });
  serveTabSettings(server, authenticate, services);
  serveReadiness(server, authenticate, services);
  serveMe(server, authenticate, services);
  serveDashboard(server, authenticate, services);
  serveOrganizationOwnership(server, authenticate, services);
  serveMicrosoftConnection(server, authenticate, services);
  serveGroups(server, authenticate, services);
  serveSyncConfiguration(server, authenticate, services);
  serveSyncRuns(server, authenticate, services);
  serveEmployees(server, authenticate, services);
  serveDirectoryPresence(server, authenticate, services);
  serveGraphNotifications(server, authenticate, services.changeNotifications, services.notificationIntake);
  serveOnboardingLinks(server, authenticate, services);
  serveCsvImport(server, authenticate, services);
  serveAccountPeople(server, authenticate, services);
  serveBotConversations(server, authenticate, services);
  serveTab(server, config.tabDistDir, { publicUrl: config.publicUrl, authorityHost: config.microsoft.authorityHost });

  return { ...runtime, server };
}
