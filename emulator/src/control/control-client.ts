import type { ConsistencyBody, CreateDirectoryObjectBody, CreateGroupBody, CreateTenantBody, CreateUserBody, FaultsBody, RegisterAppBody, ThrottlingBody, TokenBody, UpdateGroupBody, UpdateUserBody } from './control-schemas';
import type { TenantSummary } from './control-routes';
import type { OtherDirectoryObject } from '../tenants/directory-objects';
import type { FaultSettings } from '../faults/tenant-faults';
import type { LatencySettings, LatencySettingsInput } from '../cost/latency-model';
import type { LoggedRequest, TrafficCounters } from '../metering/traffic-meter';
import type { ThrottlingSettings } from '../throttling/graph-throttle';
import type { DeliveryRecord, NotificationTiming, Subscription } from '../webhooks/subscriptions';

/** A user as the control API shows it (every field, with `state` and `roles`). */
export interface ControlUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  state: 'active' | 'softDeleted' | 'purged';
  roles: string[];
  managerId: string | null;
  department: string | null;
  jobTitle: string | null;
  [field: string]: unknown;
}

export interface ControlGroup {
  id: string;
  displayName: string;
  memberIds: string[];
  state: string;
  [field: string]: unknown;
}

export class EmulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EmulatorControlError';
  }
}

/**
 * Typed client of the control API. `fetch` must trust the emulator's development CA
 * (jest's setup does; elsewhere set NODE_EXTRA_CA_CERTS).
 */
export class EmulatorControl {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetchImpl(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as T;
    const payload = (await res.json()) as unknown;
    if (!res.ok) {
      const error = (payload as { error?: { code?: string; message?: string } }).error;
      throw new EmulatorControlError(res.status, error?.code ?? 'Error', error?.message ?? `control API answered ${res.status}`);
    }
    return payload as T;
  }

  private t(tenantId: string): string {
    return `/tenants/${encodeURIComponent(tenantId)}`;
  }

  listTenants = () => this.call<{ value: TenantSummary[] }>('GET', '/tenants').then((r) => r.value);
  createTenant = (shape: CreateTenantBody = {}) => this.call<TenantSummary>('POST', '/tenants', shape);
  tenant = (tenantId: string) => this.call<TenantSummary>('GET', this.t(tenantId));
  deleteTenant = (tenantId: string) => this.call<void>('DELETE', this.t(tenantId));

  registerApp = (app: RegisterAppBody = {}) => this.call<{ clientId: string; clientSecret: string; displayName: string }>('POST', '/apps', app);
  grantConsent = (tenantId: string, clientId: string, permissions?: string[]) =>
    this.call<{ clientId: string; permissions: string[] }>('PUT', `${this.t(tenantId)}/consent/${encodeURIComponent(clientId)}`, { permissions });
  revokeConsent = (tenantId: string, clientId: string) => this.call<void>('DELETE', `${this.t(tenantId)}/consent/${encodeURIComponent(clientId)}`);

  users = (tenantId: string, options: { limit?: number; offset?: number; state?: 'active' | 'softDeleted' } = {}) => {
    const q = new URLSearchParams(Object.entries(options).map(([k, v]): [string, string] => [k, String(v)]));
    return this.call<{ total: number; value: ControlUser[] }>('GET', `${this.t(tenantId)}/users?${q}`);
  };
  user = (tenantId: string, idOrUpn: string) => this.call<ControlUser>('GET', `${this.t(tenantId)}/users/${encodeURIComponent(idOrUpn)}`);
  createUser = (tenantId: string, user: CreateUserBody) => this.call<ControlUser>('POST', `${this.t(tenantId)}/users`, user);
  updateUser = (tenantId: string, idOrUpn: string, patch: UpdateUserBody) => this.call<ControlUser>('PATCH', `${this.t(tenantId)}/users/${encodeURIComponent(idOrUpn)}`, patch);
  disableUser = (tenantId: string, idOrUpn: string) => this.updateUser(tenantId, idOrUpn, { accountEnabled: false });
  /** Soft delete (recycle bin, restorable). */
  deleteUser = (tenantId: string, idOrUpn: string) => this.call<ControlUser>('DELETE', `${this.t(tenantId)}/users/${encodeURIComponent(idOrUpn)}`);
  restoreUser = (tenantId: string, idOrUpn: string) => this.call<ControlUser>('POST', `${this.t(tenantId)}/users/${encodeURIComponent(idOrUpn)}/restore`);
  /** Permanent deletion. */
  purgeUser = (tenantId: string, idOrUpn: string) => this.call<ControlUser>('DELETE', `${this.t(tenantId)}/users/${encodeURIComponent(idOrUpn)}?permanent=true`);

  /** A device, organizational contact or service principal; add it to security groups with addMembers, or make a contact a manager with updateUser. */
  createDirectoryObject = (tenantId: string, object: CreateDirectoryObjectBody) => this.call<OtherDirectoryObject>('POST', `${this.t(tenantId)}/directory-objects`, object);
  directoryObjects = (tenantId: string) => this.call<{ value: OtherDirectoryObject[] }>('GET', `${this.t(tenantId)}/directory-objects`).then((r) => r.value);

  groups = (tenantId: string) => this.call<{ value: ControlGroup[] }>('GET', `${this.t(tenantId)}/groups`).then((r) => r.value);
  group = (tenantId: string, groupId: string) => this.call<ControlGroup>('GET', `${this.t(tenantId)}/groups/${encodeURIComponent(groupId)}`);
  createGroup = (tenantId: string, group: CreateGroupBody) => this.call<ControlGroup>('POST', `${this.t(tenantId)}/groups`, group);
  updateGroup = (tenantId: string, groupId: string, patch: UpdateGroupBody) => this.call<ControlGroup>('PATCH', `${this.t(tenantId)}/groups/${encodeURIComponent(groupId)}`, patch);
  deleteGroup = (tenantId: string, groupId: string) => this.call<void>('DELETE', `${this.t(tenantId)}/groups/${encodeURIComponent(groupId)}`);
  /** Adds users (id or UPN) or groups (nesting). */
  addMembers = (tenantId: string, groupId: string, memberIds: string[]) => this.call<ControlGroup>('POST', `${this.t(tenantId)}/groups/${encodeURIComponent(groupId)}/members`, { memberIds });
  removeMember = (tenantId: string, groupId: string, memberId: string) =>
    this.call<void>('DELETE', `${this.t(tenantId)}/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(memberId)}`);

  /** Moves the tenant's clock forward: tokens issued before expire as if the time had passed (Graph answers 401). */
  advanceClock = (tenantId: string, seconds: number) => this.call<{ clockOffsetSeconds: number }>('POST', `${this.t(tenantId)}/clock/advance`, { seconds });

  /** Delta replays, duplicates, shuffled pages, empty pages and a replication delay, as Graph documents them. */
  setConsistency = (tenantId: string, settings: ConsistencyBody) => this.call<ConsistencyBody>('PUT', `${this.t(tenantId)}/consistency`, settings);

  setFaults = (tenantId: string, faults: FaultsBody) => this.call<FaultSettings>('PUT', `${this.t(tenantId)}/faults`, faults);
  clearFaults = (tenantId: string) => this.call<FaultSettings>('DELETE', `${this.t(tenantId)}/faults`);
  expireDeltaTokens = (tenantId: string) => this.call<{ deltaEpoch: number }>('POST', `${this.t(tenantId)}/delta-tokens/expire`);
  setThrottling = (tenantId: string, settings: ThrottlingBody) => this.call<ThrottlingSettings>('PUT', `${this.t(tenantId)}/throttling`, settings);

  /** Mints a token directly: `{ user, audience?, scopes? }` for a user token, `{ app }` for an app-only Graph token. */
  token = (tenantId: string, body: TokenBody) => this.call<{ accessToken: string; idToken?: string; issuer?: string }>('POST', `${this.t(tenantId)}/tokens`, body);

  subscriptions = (tenantId: string) => this.call<{ value: Subscription[] }>('GET', `${this.t(tenantId)}/subscriptions`).then((r) => r.value);
  deliveries = (tenantId: string, subscriptionId: string) => this.call<{ value: DeliveryRecord[] }>('GET', `${this.t(tenantId)}/subscriptions/${subscriptionId}/deliveries`).then((r) => r.value);
  sendLifecycleEvent = (tenantId: string, subscriptionId: string, event: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed' = 'reauthorizationRequired') =>
    this.call<DeliveryRecord>('POST', `${this.t(tenantId)}/subscriptions/${subscriptionId}/lifecycle`, { event });

  /** Retry backoff, retry window and reauthorization lead of change notifications (emulator-wide; defaults as Graph documents). */
  setNotificationTiming = (timing: Partial<NotificationTiming>) => this.call<NotificationTiming>('PUT', '/notification-timing', timing);

  /** The latency cost model: `{ enabled, baseMs, perObjectMs, jitterShare }` (emulator-wide). */
  setLatency = (settings: LatencySettingsInput) => this.call<LatencySettings>('PUT', '/latency', settings);

  counters = (tenantId: string) => this.call<TrafficCounters>('GET', `/counters?tenantId=${encodeURIComponent(tenantId)}`);
  resetCounters = (tenantId?: string) => this.call<void>('POST', '/counters/reset', { tenantId });
  requests = (tenantId?: string, limit = 200) => this.call<{ value: LoggedRequest[] }>('GET', `/requests?${new URLSearchParams({ ...(tenantId ? { tenantId } : {}), limit: String(limit) })}`).then((r) => r.value);
}
