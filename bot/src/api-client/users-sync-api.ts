import type { z } from 'zod';
import {
  adminConversationsSchema,
  BOT_TENANT_HEADER,
  BOT_USER_HEADER,
  createdOnboardingLinkSchema,
  employeePageSchema,
  meSchema,
  microsoftConnectionSchema,
  personReachSchema,
  presenceAnswerSchema,
  NOTIFY_SECRET_HEADER,
  problemSchema,
  syncConfigurationSchema,
  syncReportSchema,
  syncRunPageSchema,
  syncRunSchema,
  tenantAdminsSchema,
  type AdminConversations,
  type CreatedOnboardingLink,
  type Me,
  type MicrosoftConnection,
  type PersonReach,
  type PresenceAnswer,
  type SaveBotConversation,
  type SyncConfiguration,
  type SyncRun,
  type TenantAdmins,
} from '@users-sync/api/contract';

/** The person the bot acts for: tenant and Entra object id from a verified activity, never from text. */
export interface ActingPerson {
  tenantId: string;
  aadObjectId: string;
}

export type SyncReport = z.infer<typeof syncReportSchema>;

/** What the bot may do for a person in chat: the api applies that person's membership and role. */
export interface PersonApi {
  me(): Promise<Me>;
  connection(): Promise<MicrosoftConnection>;
  configuration(): Promise<SyncConfiguration>;
  activeEmployees(): Promise<number>;
  startRun(options: { dryRun: boolean }): Promise<SyncRun>;
  runs(limit: number): Promise<SyncRun[]>;
  run(runId: string): Promise<SyncRun>;
  report(runId: string): Promise<SyncReport>;
  approve(runId: string): Promise<SyncRun>;
  reject(runId: string): Promise<SyncRun>;
  /** "Someone missing?" for `query` (an email or a name). */
  whyInDirectory(query: string): Promise<PresenceAnswer>;
  /** "Share Onboarding Link": a new link for a Microsoft admin; the api asks the bot to deliver it. */
  shareOnboardingLink(email: string): Promise<CreatedOnboardingLink>;
}

/** The api as the bot sees it: its own internal routes, and the routes it calls for a person. */
export interface UsersSyncApi {
  forPerson(person: ActingPerson): PersonApi;
  saveConversation(conversation: SaveBotConversation): Promise<void>;
  removeConversation(tenantId: string, scope: 'personal' | 'team', targetId: string): Promise<void>;
  adminConversations(organizationId: string): Promise<AdminConversations['conversations']>;
  tenantAdmins(tenantId: string): Promise<TenantAdmins>;
  personReach(tenantId: string, userObjectId: string): Promise<PersonReach>;
}

/** The api said no, with its stable code (the bot branches on it, never on the text). */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiRefusal';
  }
}

export interface HttpUsersSyncApiSettings {
  apiUrl: string;
  /** The secret shared with the api (NOTIFY_SECRET). */
  sharedSecret: string | undefined;
  timeoutMs?: number;
}

/** The api over HTTP, every answer checked against the shared contract. */
export function httpUsersSyncApi(settings: HttpUsersSyncApiSettings): UsersSyncApi {
  async function call<S extends z.ZodType>(method: string, path: string, schema: S | undefined, init: { person?: ActingPerson; body?: unknown } = {}): Promise<z.output<S>> {
    if (!settings.sharedSecret) throw new ApiRefusal(503, 'BOT_NOT_CONFIGURED', 'The bot has no NOTIFY_SECRET: set the same value for the api and the bot, then restart both.');
    let res: Response;
    try {
      res = await fetch(`${settings.apiUrl}${path}`, {
        method,
        headers: {
          [NOTIFY_SECRET_HEADER]: settings.sharedSecret,
          ...(init.person ? { [BOT_TENANT_HEADER]: init.person.tenantId, [BOT_USER_HEADER]: init.person.aadObjectId } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: AbortSignal.timeout(settings.timeoutMs ?? 15_000),
      });
    } catch {
      throw new ApiRefusal(503, 'API_UNREACHABLE', `The Users Sync api at ${settings.apiUrl} could not be reached. Check that it runs and that API_URL points to it.`);
    }
    const text = await res.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const problem = problemSchema.safeParse(json);
      if (problem.success) throw new ApiRefusal(res.status, problem.data.code, problem.data.detail);
      throw new ApiRefusal(res.status, 'API_ERROR', `The Users Sync api answered ${res.status} to ${method} ${path}.`);
    }
    if (!schema) return undefined as z.output<S>;
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiRefusal(502, 'API_ANSWER_INVALID', `The Users Sync api answered ${method} ${path} with something outside its contract; is the bot the same version as the api?`);
    return parsed.data;
  }

  const id = encodeURIComponent;
  return {
    forPerson(person) {
      return {
        me: () => call('GET', '/api/me', meSchema, { person }),
        connection: () => call('GET', '/api/microsoft/connection', microsoftConnectionSchema, { person }),
        configuration: () => call('GET', '/api/sync/configuration', syncConfigurationSchema, { person }),
        activeEmployees: async () => (await call('GET', '/api/employees?status=active&limit=1', employeePageSchema, { person })).total,
        startRun: ({ dryRun }) => call('POST', '/api/sync/runs', syncRunSchema, { person, body: { dryRun } }),
        runs: async (limit) => (await call('GET', `/api/sync/runs?limit=${limit}`, syncRunPageSchema, { person })).runs,
        run: (runId) => call('GET', `/api/sync/runs/${id(runId)}`, syncRunSchema, { person }),
        report: (runId) => call('GET', `/api/sync/runs/${id(runId)}/report`, syncReportSchema, { person }),
        approve: (runId) => call('POST', `/api/sync/runs/${id(runId)}/approve`, syncRunSchema, { person }),
        reject: (runId) => call('POST', `/api/sync/runs/${id(runId)}/reject`, syncRunSchema, { person }),
        whyInDirectory: (query) => call('GET', `/api/directory/why?query=${id(query)}`, presenceAnswerSchema, { person }),
        shareOnboardingLink: (email) => call('POST', '/api/onboarding/links', createdOnboardingLinkSchema, { person, body: { email } }),
      };
    },
    async saveConversation(conversation) {
      await call('PUT', '/api/bot/conversations', undefined, { body: conversation });
    },
    async removeConversation(tenantId, scope, targetId) {
      await call('DELETE', `/api/bot/conversations/${id(tenantId)}/${scope}/${id(targetId)}`, undefined);
    },
    adminConversations: async (organizationId) => (await call('GET', `/api/bot/organizations/${id(organizationId)}/admin-conversations`, adminConversationsSchema)).conversations,
    tenantAdmins: (tenantId) => call('GET', `/api/bot/tenants/${id(tenantId)}/admins`, tenantAdminsSchema),
    personReach: (tenantId, userObjectId) => call('GET', `/api/bot/tenants/${id(tenantId)}/people/${id(userObjectId)}/reach`, personReachSchema),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
