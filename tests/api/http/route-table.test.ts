import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadApiConfig } from '@users-sync/api/config';
import { consoleAccess, routes } from '@users-sync/api/contract/index';
import { buildApiServices } from '@users-sync/api/composition';
import { createApiApp, type ApiApp } from '@users-sync/api/http/app';
import { createLogger } from '@users-sync/api/service/index';

/** Routes served without being in the contract: the tab's pages and static files. */
const outsideContract = new Set(['GET /*']);

describe('route table', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-routes-'));
  let app: ApiApp;
  beforeAll(async () => {
    app = createApiApp(await buildApiServices(loadApiConfig({ DATA_DIR: dataDir }), createLogger({ service: 'api', level: 'silent', pretty: false })), '0.0.0');
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves exactly the routes of the contract, each with an access decision, and nothing else', () => {
    const served = Object.values(app.server.router.getRoutes()).map((r) => `${r.method} ${r.path}`);
    const declared = Object.values(routes).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    const undeclared = served.filter((r) => !declared.includes(r) && !outsideContract.has(r));
    // A new route must be added to the contract (api/src/contract/routes.ts) with its access: public, member, owner, bot or console.
    expect(undeclared).toEqual([]);
    expect(declared.filter((r) => !served.includes(r))).toEqual([]);
    for (const route of Object.values(routes)) expect(['public', 'member', 'owner', 'bot', 'console']).toContain(route.access);
  });

  it('states for every route but the public ones what an onboarding console may do there', () => {
    const guarded = Object.entries(routes)
      .filter(([, r]) => r.access !== 'public')
      .map(([id]) => id)
      .sort();
    expect(Object.keys(consoleAccess).sort()).toEqual(guarded);
    for (const access of Object.values(consoleAccess)) expect(['refused', 'setup', 'read']).toContain(access);
    // Owner-only routes are never a console's, nor is anything outside the Microsoft setup.
    const open = Object.entries(consoleAccess)
      .filter(([, a]) => a !== 'refused')
      .map(([id]) => id)
      .sort();
    expect(open).toEqual(['connection', 'getConfiguration', 'getRun', 'getRunReport', 'onboardingConsole', 'onboardingSignIn', 'runEvents', 'saveConfiguration', 'searchGroups', 'startConsent', 'startRun']);
  });

  it('keeps public only what must be: health and readiness, the OpenAPI document, the tab’s sign-in settings, Entra’s consent redirect, Graph’s notifications and opening an onboarding link', () => {
    const open = Object.entries(routes)
      .filter(([, r]) => r.access === 'public')
      .map(([id]) => id)
      .sort();
    expect(open).toEqual(['consentCallback', 'describeOnboardingLink', 'graphLifecycle', 'graphNotifications', 'health', 'openApi', 'openOnboardingConsole', 'readiness', 'tabSettings']);
  });
});
