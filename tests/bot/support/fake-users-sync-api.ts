import type { AdminConversations, CreatedOnboardingLink, MicrosoftConnection, PersonReach, PresenceAnswer, SaveBotConversation, SyncConfiguration, SyncRun, TenantAdmins } from '@users-sync/api/contract';
import { ApiRefusal, type ActingPerson, type PersonApi, type SyncReport, type UsersSyncApi } from '@users-sync/bot/api-client/users-sync-api';

export const tenantId = 'aaaaaaaa-1111-2222-3333-444444444444';
export const owner = { aadObjectId: 'owner-oid', name: 'Ann Owner', email: 'ann@contoso.com', role: 'owner' as const };
export const admin = { aadObjectId: 'admin-oid', name: 'Bob Admin', email: 'bob@contoso.com', role: 'admin' as const };

const counts = { created: 0, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 0 };

export function makeRun(overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id: 'run-1',
    trigger: 'manual',
    mode: 'full',
    dryRun: false,
    status: 'succeeded',
    progress: { phase: 'done', usersRead: 120, pages: 1, graphRequests: 3 },
    counts: { ...counts, created: 100, skipped: 2, unchanged: 18 },
    error: null,
    queuedAt: '2026-11-26T10:00:00.000Z',
    startedAt: '2026-11-26T10:00:00.100Z',
    finishedAt: '2026-11-26T10:00:02.000Z',
    durationMs: 1900,
    unsavedSettings: false,
    ...overrides,
  };
}

/**
 * The api as the bot sees it, in memory, applying the same rules the real one does: only
 * members act, a run goes queued → running → settled one step per read, approving works
 * once. Everything the bot asked is recorded.
 */
export class FakeUsersSyncApi implements UsersSyncApi {
  readonly calls: string[] = [];
  readonly conversations = new Map<string, SaveBotConversation>();
  members = [owner, admin];
  organizationExists = true;
  connection: MicrosoftConnection = { status: 'connected', tenantId, tenantName: 'Contoso', connectedAt: '2026-11-20T09:00:00.000Z', permissions: [] };
  configuration: SyncConfiguration | null = {
    scope: { kind: 'group_name', groupName: 'arsen' },
    includeGuests: false,
    exclusions: [],
    schedule: { intervalMinutes: 60 },
    deletionGuard: { enabled: true, maxShare: 0.2, minCount: 10 },
  };
  activeEmployees = 118;
  runs: SyncRun[] = [];
  /** The steps a started run goes through, one per read of it. */
  script: Array<Partial<SyncRun>> = [
    { status: 'running', progress: { phase: 'reading_users', usersRead: 50, pages: 1, graphRequests: 2 } },
    { status: 'running', progress: { phase: 'applying', usersRead: 120, pages: 2, graphRequests: 3 } },
    { status: 'succeeded', progress: { phase: 'done', usersRead: 120, pages: 2, graphRequests: 3 }, counts: { ...counts, created: 3, updated: 1, unchanged: 114, skipped: 1 }, finishedAt: '2026-11-26T10:01:05.000Z', durationMs: 65_000 },
  ];
  report: SyncReport = {
    counts,
    created: [],
    updated: [],
    deactivated: [{ entraObjectId: 'x', email: 'leaver@contoso.com', displayName: 'Lee *Leaver*', reason: 'Left the scope' }],
    reactivated: [],
    skipped: [{ entraObjectId: 'y', email: null, displayName: 'Printer [Room 2]', reason: 'No mailbox: no email to sync' }],
    truncated: false,
  };
  /** "Someone missing?" answers, by the query asked. */
  presence = new Map<string, PresenceAnswer>();
  /** Links made through "link", with who asked. */
  readonly sharedLinks: Array<{ by: string; email: string }> = [];
  private readonly steps = new Map<string, number>();

  private member(person: ActingPerson) {
    if (person.tenantId !== tenantId || !this.organizationExists) throw new ApiRefusal(403, 'ORGANIZATION_NOT_SET_UP', 'Nobody in your organization has set up Users Sync yet.');
    const found = this.members.find((m) => m.aadObjectId === person.aadObjectId);
    if (!found) throw new ApiRefusal(403, 'NOT_A_MEMBER', `You are not an administrator of Users Sync for your organization. Ask ${owner.email} to add you.`);
    return found;
  }

  private find(runId: string): SyncRun {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) throw new ApiRefusal(404, 'RUN_NOT_FOUND', `No sync run ${runId}.`);
    return run;
  }

  private replace(run: SyncRun): SyncRun {
    this.runs = this.runs.map((r) => (r.id === run.id ? run : r));
    return run;
  }

  forPerson(person: ActingPerson): PersonApi {
    const call = <T>(name: string, work: () => T): Promise<T> => {
      this.calls.push(`${name} as ${person.aadObjectId}`);
      try {
        const member = this.member(person);
        void member;
        return Promise.resolve(work());
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return {
      me: () => call('me', () => ({ user: { id: person.aadObjectId, name: 'x', email: 'x', role: 'admin' as const }, organization: { id: 'org-1', name: 'Contoso', tenantId, providerDetection: null } })),
      connection: () => call('connection', () => this.connection),
      configuration: () =>
        call('configuration', () => {
          if (!this.configuration) throw new ApiRefusal(404, 'CONFIGURATION_NOT_FOUND', 'No scope chosen yet.');
          return this.configuration;
        }),
      activeEmployees: () => call('activeEmployees', () => this.activeEmployees),
      startRun: ({ dryRun }) =>
        call('startRun', () => {
          const run = makeRun({ id: `run-${this.runs.length + 1}`, dryRun, status: 'queued', progress: { phase: null, usersRead: 0, pages: 0, graphRequests: 0 }, counts, startedAt: null, finishedAt: null, durationMs: null });
          this.runs.unshift(run);
          return run;
        }),
      runs: (limit) => call('runs', () => this.runs.slice(0, limit)),
      run: (runId) =>
        call('run', () => {
          const run = this.find(runId);
          if (run.status !== 'queued' && run.status !== 'running') return run;
          const step = this.steps.get(runId) ?? 0;
          this.steps.set(runId, step + 1);
          return this.replace({ ...run, ...this.script[Math.min(step, this.script.length - 1)] });
        }),
      report: (runId) => call('report', () => (this.find(runId), this.report)),
      approve: (runId) => call('approve', () => this.decide(runId, 'succeeded')),
      reject: (runId) => call('reject', () => this.decide(runId, 'rejected')),
      whyInDirectory: (query) =>
        call('whyInDirectory', () => {
          const answer = this.presence.get(query);
          if (!answer) throw new ApiRefusal(409, 'MICROSOFT_NOT_CONNECTED', 'Microsoft 365 is not connected yet. Click "Connect to Microsoft 365" first.');
          return answer;
        }),
      shareOnboardingLink: (email) => call('shareOnboardingLink', () => this.shareLink(person, email)),
    };
  }

  /** Like the api with the bot as courier: people of contoso.com are reached in Teams, others are not. */
  private shareLink(person: ActingPerson, email: string): CreatedOnboardingLink {
    this.sharedLinks.push({ by: person.aadObjectId, email });
    const reached = email.toLowerCase().endsWith('@contoso.com');
    const id = `link-${this.sharedLinks.length}`;
    return {
      url: `https://usersync.example/onboarding#secret_${id}-x`,
      link: {
        id,
        email: email.toLowerCase(),
        state: 'pending',
        createdBy: { name: owner.name, email: owner.email },
        createdAt: '2026-12-02T10:00:00.000Z',
        expiresAt: '2026-12-17T10:00:00.000Z',
        openedAt: null,
        signedInEmail: null,
        consentedAt: null,
        completedAt: null,
        revokedAt: null,
        revokedBy: null,
        delivery: reached
          ? { status: 'delivered', reason: null, at: '2026-12-02T10:00:01.000Z' }
          : { status: 'not_delivered', reason: `${email} is not a person of your Microsoft 365 organization, so the bot cannot write to them in Teams. Copy the link and send it yourself.`, at: '2026-12-02T10:00:01.000Z' },
      },
    };
  }

  private decide(runId: string, status: 'succeeded' | 'rejected'): SyncRun {
    const run = this.find(runId);
    if (run.status !== 'awaiting_approval') throw new ApiRefusal(409, 'RUN_NOT_AWAITING_APPROVAL', `Sync run ${runId} is ${run.status}, not waiting for approval.`);
    return this.replace({ ...run, status, error: status === 'rejected' ? { code: 'DELETION_REJECTED', message: 'An admin rejected it.' } : null });
  }

  async saveConversation(conversation: SaveBotConversation): Promise<void> {
    this.calls.push(`saveConversation ${conversation.scope} ${conversation.targetId}`);
    this.conversations.set(`${conversation.tenantId}/${conversation.scope}/${conversation.targetId}`, conversation);
  }

  async removeConversation(tenant: string, scope: 'personal' | 'team', targetId: string): Promise<void> {
    this.calls.push(`removeConversation ${scope} ${targetId}`);
    this.conversations.delete(`${tenant}/${scope}/${targetId}`);
  }

  async adminConversations(organizationId: string): Promise<AdminConversations['conversations']> {
    this.calls.push(`adminConversations ${organizationId}`);
    return [...this.conversations.values()]
      .filter((c) => c.scope === 'personal' && this.members.some((m) => m.aadObjectId === c.targetId))
      .map((c) => {
        const member = this.members.find((m) => m.aadObjectId === c.targetId)!;
        return { ...c, installedAt: '2026-11-20T09:00:00.000Z', role: member.role, name: member.name };
      });
  }

  async personReach(tenant: string, userObjectId: string): Promise<PersonReach> {
    this.calls.push(`personReach ${userObjectId}`);
    const personal = this.conversations.get(`${tenant}/personal/${userObjectId}`);
    const any = [...this.conversations.values()].find((c) => c.tenantId === tenant);
    const serviceUrl = (personal ?? any)?.reference.serviceUrl;
    return { reference: personal?.reference ?? null, serviceUrl: typeof serviceUrl === 'string' ? serviceUrl : null };
  }

  async tenantAdmins(tenant: string): Promise<TenantAdmins> {
    this.calls.push('tenantAdmins');
    if (tenant !== tenantId || !this.organizationExists) return { organizationExists: false, admins: [] };
    return { organizationExists: true, admins: this.members.map((m) => ({ name: m.name, email: m.email, role: m.role })) };
  }
}
