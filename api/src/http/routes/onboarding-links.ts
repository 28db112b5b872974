import type { Server } from 'restify';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

/** "Share Onboarding Link" for owners and admins, and the link's own console. */
export function serveOnboardingLinks(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const links = services.onboardingLinks;
  const { clientAddress } = services;

  serveRoute(server, 'listOnboardingLinks', authenticate, async ({ principal }) => ({ links: await links.list(principal.organizationId) }));

  serveRoute(server, 'createOnboardingLink', authenticate, async ({ principal, body, res }) => {
    res.setHeader('cache-control', 'no-store');
    return links.create(principal, body.email);
  });

  serveRoute(server, 'revokeOnboardingLink', authenticate, async ({ principal, params }) => links.revoke(principal, params.linkId));

  serveRoute(server, 'describeOnboardingLink', authenticate, async ({ req, res, body }) => links.describe(clientAddress(req), body.token, res));

  serveRoute(server, 'openOnboardingConsole', authenticate, async ({ req, res, body }) => {
    res.setHeader('cache-control', 'no-store');
    return links.open(clientAddress(req), body.token, res);
  });

  serveRoute(server, 'onboardingConsole', authenticate, async ({ principal }) => links.consoleView(principal));

  serveRoute(server, 'onboardingSignIn', authenticate, async ({ principal, body, res }) => {
    res.setHeader('cache-control', 'no-store');
    return links.signIn(principal, body.accessToken);
  });
}
