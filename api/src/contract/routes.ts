import { z } from 'zod';
import { problemSchema } from './problem';
import { auditLogSchema, meSchema, ownerSchema, transferOwnershipBodySchema } from './organization';
import {
  consentCallbackQuerySchema,
  groupPageSchema,
  groupSearchQuerySchema,
  microsoftConnectionSchema,
  startConsentResponseSchema,
} from './microsoft-connection';
import { syncConfigurationSchema } from './sync-configuration';
import { pageQuerySchema, savedConfigurationSchema, startSyncRunBodySchema, syncReportSchema, syncRunPageSchema, syncRunSchema } from './sync-runs';
import { departmentListSchema, departmentQuerySchema, employeeDetailSchema, employeePageSchema, employeeQuerySchema } from './employees';
import {
  createOnboardingLinkBodySchema,
  createdOnboardingLinkSchema,
  onboardingConsoleSchema,
  onboardingLinkDescriptionSchema,
  onboardingLinkListSchema,
  onboardingLinkSchema,
  onboardingSecretBodySchema,
  onboardingSessionSchema,
  onboardingSignedInSchema,
  onboardingSignInBodySchema,
} from './onboarding-links';
import { csvImportAppliedSchema, csvImportPreviewSchema, csvImportQuerySchema, CSV_IMPORT_MAX_BYTES } from './csv-import';
import { accountPeopleSchema, addAdminBodySchema } from './account-people';
import { adminConversationsSchema, personReachSchema, saveBotConversationSchema, tenantAdminsSchema } from './bot-conversations';
import { tabSettingsSchema } from './tab';
import { dashboardSchema } from './dashboard';
import { presenceAnswerSchema, presenceQuerySchema } from './directory-presence';

/**
 * Who may call a route. Every route names one, and a test fails when a route is served
 * without being listed here, so no route is ever public by accident.
 * - public: anyone (health, the OpenAPI document, the tab's sign-in settings, Entra's consent redirect — which is
 *   protected by its signed, single-use `state` instead — and Graph's change
 *   notifications, which prove themselves with their subscription's `clientState`);
 * - member: a signed-in owner or admin of the organization the token's tenant selects;
 * - owner: the organization's owner only;
 * - bot: the bot as a service, proving itself with the secret shared with the api
 *   (conversation references, who the admins are);
 * - console: only an onboarding-link console session (its own screens).
 * A member route may also name `botForPerson`: the bot may call it for a person in chat,
 * with the shared secret plus the tenant and `aadObjectId` of a Bot-Framework-verified
 * activity; that person's membership and role are checked as for the tab.
 * What an onboarding console may call among the others is `consoleAccess` below.
 */
export type RouteAccess = 'public' | 'member' | 'owner' | 'bot' | 'console';

export type RouteResponse =
  | { kind: 'json'; status: number; schema: z.ZodType }
  | { kind: 'empty'; status: 204 }
  | { kind: 'redirect' }
  | { kind: 'event-stream' }
  | { kind: 'csv' }
  /** Graph's webhook contract: `?validationToken=` is echoed as text/plain, notifications get 202. */
  | { kind: 'graph-webhook' };

export interface RouteDefinition {
  method: 'get' | 'post' | 'put' | 'delete';
  /** restify-style path, `:name` for parameters. */
  path: string;
  summary: string;
  access: RouteAccess;
  /** The bot may call this member route on behalf of the person it chats with. */
  botForPerson?: true;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** A raw upload (a file's bytes as the body) instead of a JSON body. */
  upload?: { contentType: 'application/octet-stream'; maxBytes: number };
  response: RouteResponse;
}

const json = <S extends z.ZodType>(schema: S, status = 200) => ({ kind: 'json' as const, status, schema });

/** The api's REST contract: the tab and the bot call exactly these. */
export const routes = {
  health: { method: 'get', path: '/healthz', summary: 'Liveness and version', access: 'public', response: json(z.object({ status: z.literal('ok'), service: z.string(), version: z.string() })) },
  readiness: {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: whether the database answers (503 DATABASE_UNAVAILABLE while it does not; the process stays up)',
    access: 'public',
    response: json(z.object({ status: z.literal('ready'), database: z.literal('ok') })),
  },
  openApi: { method: 'get', path: '/api/openapi.json', summary: 'This contract as OpenAPI 3.1', access: 'public', response: json(z.record(z.string(), z.unknown())) },
  tabSettings: { method: 'get', path: '/api/tab/settings', summary: "The tab's sign-in settings (client id, authority, api scope), so one build serves the emulator and Microsoft's cloud", access: 'public', response: json(tabSettingsSchema) },
  me: { method: 'get', path: '/api/me', summary: 'The signed-in person and their organization (created on first sign-in)', access: 'member', botForPerson: true, response: json(meSchema) },
  dashboard: { method: 'get', path: '/api/dashboard', summary: 'Employees (active, inactive, by source), the connection, the last sync and its outcome, the next scheduled one', access: 'member', response: json(dashboardSchema) },
  takeOwnership: {
    method: 'post',
    path: '/api/organization/owner/take',
    summary: "A Global Administrator or Privileged Role Administrator of the tenant becomes the owner (recorded in the audit log)",
    access: 'member',
    response: json(ownerSchema),
  },
  transferOwnership: { method: 'put', path: '/api/organization/owner', summary: 'The owner hands ownership to another member', access: 'owner', body: transferOwnershipBodySchema, response: json(ownerSchema) },
  auditLog: { method: 'get', path: '/api/organization/audit', summary: 'Who took or handed over ownership, and admin rights that ended with a directory role', access: 'owner', response: json(auditLogSchema) },

  connection: { method: 'get', path: '/api/microsoft/connection', summary: 'Microsoft 365 connection status', access: 'member', botForPerson: true, response: json(microsoftConnectionSchema) },
  startConsent: { method: 'post', path: '/api/microsoft/consent', summary: 'Start "Connect to Microsoft 365": returns the admin-consent URL', access: 'member', response: json(startConsentResponseSchema) },
  consentCallback: { method: 'get', path: '/api/microsoft/consent/callback', summary: "Entra's admin-consent redirect; verifies state, proves the tenant, returns to the tab", access: 'public', query: consentCallbackQuerySchema, response: { kind: 'redirect' } },
  disconnect: { method: 'delete', path: '/api/microsoft/connection', summary: 'Disconnect Microsoft 365 (employees are kept)', access: 'owner', response: { kind: 'empty', status: 204 } },
  searchGroups: { method: 'get', path: '/api/microsoft/groups', summary: 'Groups for the picker, by display name, with member counts', access: 'member', query: groupSearchQuerySchema, response: json(groupPageSchema) },

  getConfiguration: { method: 'get', path: '/api/sync/configuration', summary: 'Scope, options, schedule and deletion guard', access: 'member', botForPerson: true, response: json(syncConfigurationSchema) },
  saveConfiguration: { method: 'put', path: '/api/sync/configuration', summary: '"Save changes and sync users": saves scope and options, then starts a sync', access: 'member', body: syncConfigurationSchema, response: json(savedConfigurationSchema) },

  startRun: { method: 'post', path: '/api/sync/runs', summary: 'Start a sync (or a dry run); answers the running one if a sync is already under way', access: 'member', botForPerson: true, body: startSyncRunBodySchema, response: json(syncRunSchema, 202) },
  listRuns: { method: 'get', path: '/api/sync/runs', summary: 'Sync history, newest first', access: 'member', botForPerson: true, query: pageQuerySchema, response: json(syncRunPageSchema) },
  getRun: { method: 'get', path: '/api/sync/runs/:runId', summary: 'One sync run with its counts and errors', access: 'member', botForPerson: true, response: json(syncRunSchema) },
  getRunReport: { method: 'get', path: '/api/sync/runs/:runId/report', summary: 'Who the run created, updated, deactivated, reactivated or skipped (or would, for a dry run or a held run)', access: 'member', botForPerson: true, response: json(syncReportSchema) },
  runEvents: { method: 'get', path: '/api/sync/runs/:runId/events', summary: 'Live progress as Server-Sent Events', access: 'member', response: { kind: 'event-stream' } },
  approveRun: { method: 'post', path: '/api/sync/runs/:runId/approve', summary: 'Apply a run held by the deletion guard', access: 'member', botForPerson: true, response: json(syncRunSchema) },
  rejectRun: { method: 'post', path: '/api/sync/runs/:runId/reject', summary: 'Discard a run held by the deletion guard', access: 'member', botForPerson: true, response: json(syncRunSchema) },
  cancelRun: { method: 'post', path: '/api/sync/runs/:runId/cancel', summary: 'Cancel a running sync (nobody is deactivated)', access: 'member', botForPerson: true, response: json(syncRunSchema) },

  graphNotifications: { method: 'post', path: '/api/graph/notifications', summary: 'Microsoft Graph change notifications (users, groups); each starts an incremental sync', access: 'public', response: { kind: 'graph-webhook' } },
  graphLifecycle: { method: 'post', path: '/api/graph/lifecycle', summary: 'Microsoft Graph subscription lifecycle events (reauthorize, removed, missed)', access: 'public', response: { kind: 'graph-webhook' } },

  listEmployees: { method: 'get', path: '/api/employees', summary: 'Employees, paged, with search and filters', access: 'member', botForPerson: true, query: employeeQuerySchema, response: json(employeePageSchema) },
  listDepartments: { method: 'get', path: '/api/employees/departments', summary: 'The departments employees are in, with how many, for the department filter', access: 'member', query: departmentQuerySchema, response: json(departmentListSchema) },
  exportEmployees: { method: 'get', path: '/api/employees/export.csv', summary: 'The directory as CSV', access: 'member', response: { kind: 'csv' } },
  whyInDirectory: { method: 'get', path: '/api/directory/why', summary: '"Someone missing?": why a person (email or name) is or is not in the directory, from Graph and the scope rules', access: 'member', botForPerson: true, query: presenceQuerySchema, response: json(presenceAnswerSchema) },
  getEmployee: { method: 'get', path: '/api/employees/:employeeId', summary: 'One employee with its change log', access: 'member', response: json(employeeDetailSchema) },

  listOnboardingLinks: { method: 'get', path: '/api/onboarding/links', summary: 'Shared onboarding links with their state, who made them and when', access: 'member', response: json(onboardingLinkListSchema) },
  createOnboardingLink: { method: 'post', path: '/api/onboarding/links', summary: '"Share Onboarding Link": a 15-day link for a Microsoft admin; its URL is shown once', access: 'member', botForPerson: true, body: createOnboardingLinkBodySchema, response: json(createdOnboardingLinkSchema, 201) },
  revokeOnboardingLink: { method: 'post', path: '/api/onboarding/links/:linkId/revoke', summary: 'Revoke a link: its console ends at once', access: 'member', response: json(onboardingLinkSchema) },
  describeOnboardingLink: { method: 'post', path: '/api/onboarding/link-description', summary: 'What a link is (usable, expired, revoked, unknown) and whom to ask; rate-limited', access: 'public', body: onboardingSecretBodySchema, response: json(onboardingLinkDescriptionSchema) },
  openOnboardingConsole: { method: 'post', path: '/api/onboarding/sessions', summary: "Exchange a link's secret for a short console session; rate-limited", access: 'public', body: onboardingSecretBodySchema, response: json(onboardingSessionSchema, 201) },
  onboardingConsole: { method: 'get', path: '/api/onboarding/console', summary: 'The console: organization, link, signed-in Microsoft account, connection, its runs', access: 'console', response: json(onboardingConsoleSchema) },
  onboardingSignIn: { method: 'post', path: '/api/onboarding/console/sign-in', summary: "The console's Microsoft sign-in: a work account of the organization's tenant, the link's email", access: 'console', body: onboardingSignInBodySchema, response: json(onboardingSignedInSchema) },

  csvImportTemplate: { method: 'get', path: '/api/employees/import/template.csv', summary: 'A CSV template with every column the import reads', access: 'member', response: { kind: 'csv' } },
  previewCsvImport: { method: 'post', path: '/api/employees/import/previews', summary: 'Preview a CSV import: per-row errors and the changes it would make', access: 'member', query: csvImportQuerySchema, upload: { contentType: 'application/octet-stream', maxBytes: CSV_IMPORT_MAX_BYTES }, response: json(csvImportPreviewSchema, 201) },
  applyCsvImport: { method: 'post', path: '/api/employees/import/previews/:previewId/apply', summary: 'Apply a previewed import (send the same file): all or nothing, recorded as a sync run', access: 'member', upload: { contentType: 'application/octet-stream', maxBytes: CSV_IMPORT_MAX_BYTES }, response: json(csvImportAppliedSchema) },

  listAccountPeople: { method: 'get', path: '/api/account/people', summary: "The account's owner and admins, and how each got the role", access: 'member', response: json(accountPeopleSchema) },
  addAccountAdmin: { method: 'post', path: '/api/account/admins', summary: 'Make someone an admin by email (they join at their next sign-in)', access: 'owner', body: addAdminBodySchema, response: json(accountPeopleSchema) },
  removeAccountAdmin: { method: 'delete', path: '/api/account/admins/:personId', summary: 'Remove an admin', access: 'owner', response: json(accountPeopleSchema) },

  saveBotConversation: { method: 'put', path: '/api/bot/conversations', summary: 'The bot was installed (personal chat or team): keep its conversation reference', access: 'bot', body: saveBotConversationSchema, response: { kind: 'empty', status: 204 } },
  removeBotConversation: { method: 'delete', path: '/api/bot/conversations/:tenantId/:scope/:targetId', summary: 'The bot was uninstalled: forget its conversation reference', access: 'bot', response: { kind: 'empty', status: 204 } },
  adminConversations: { method: 'get', path: '/api/bot/organizations/:organizationId/admin-conversations', summary: "Personal chats of the organization's admins who installed the bot (sync reports, approvals)", access: 'bot', response: json(adminConversationsSchema) },
  personReach: { method: 'get', path: '/api/bot/tenants/:tenantId/people/:userObjectId/reach', summary: 'How the bot can reach a person: their personal chat, or their tenant’s Bot Connector address', access: 'bot', response: json(personReachSchema) },
  tenantAdmins: { method: 'get', path: '/api/bot/tenants/:tenantId/admins', summary: "Who administers Users Sync for a tenant (the bot's answer to a non-member)", access: 'bot', response: json(tenantAdminsSchema) },
} as const satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof routes;
type PublicRouteId = { [K in RouteId]: (typeof routes)[K]['access'] extends 'public' ? K : never }[RouteId];

/**
 * What an onboarding console session may call, route by route (public routes aside):
 * - refused: 403, always;
 * - setup: while the link is usable and the setup not completed;
 * - read: until the link expires or is revoked, read-only after the setup completed.
 * Sync runs it may read are only the ones its own console started.
 * Typed over every route id: a new route does not compile until it says.
 */
export type ConsoleAccess = 'refused' | 'setup' | 'read';

export const consoleAccess = {
  me: 'refused',
  dashboard: 'refused',
  takeOwnership: 'refused',
  transferOwnership: 'refused',
  auditLog: 'refused',
  connection: 'read',
  startConsent: 'setup',
  disconnect: 'refused',
  searchGroups: 'setup',
  getConfiguration: 'read',
  saveConfiguration: 'setup',
  startRun: 'setup',
  listRuns: 'refused',
  getRun: 'read',
  getRunReport: 'read',
  runEvents: 'read',
  approveRun: 'refused',
  rejectRun: 'refused',
  cancelRun: 'refused',
  listEmployees: 'refused',
  listDepartments: 'refused',
  exportEmployees: 'refused',
  whyInDirectory: 'refused',
  getEmployee: 'refused',
  listOnboardingLinks: 'refused',
  createOnboardingLink: 'refused',
  revokeOnboardingLink: 'refused',
  onboardingConsole: 'read',
  onboardingSignIn: 'setup',
  csvImportTemplate: 'refused',
  previewCsvImport: 'refused',
  applyCsvImport: 'refused',
  listAccountPeople: 'refused',
  addAccountAdmin: 'refused',
  removeAccountAdmin: 'refused',
  // The bot's own routes take only the bot's shared secret.
  saveBotConversation: 'refused',
  removeBotConversation: 'refused',
  adminConversations: 'refused',
  personReach: 'refused',
  tenantAdmins: 'refused',
} as const satisfies Record<Exclude<RouteId, PublicRouteId>, ConsoleAccess>;

/** Routes an onboarding console may reach at all (its principal may be a console there). */
export type ConsoleRouteId = { [K in keyof typeof consoleAccess]: (typeof consoleAccess)[K] extends 'refused' ? never : K }[keyof typeof consoleAccess];

export { problemSchema };
