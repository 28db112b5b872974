import type { z } from 'zod';
import { generateDemoTenant } from '../generator/demo-tenant';
import { generateTenant } from '../generator/tenant-generator';
import { bodyJson, type EmulatorRequest } from '../http/request';
import { json, type Reply } from '../http/reply';
import { Router } from '../http/router';
import type { EmulatorState } from '../emulator-state';
import { faultSettings } from '../faults/tenant-faults';
import type { DirectoryGroup, DirectoryUser, UserProfile } from '../tenants/directory-objects';
import { GRAPH_RESOURCE } from '../tenants/cloud';
import { DirectoryError, type Tenant } from '../tenants/tenant';
import { notificationTiming } from '../webhooks/subscriptions';
import { latencySettings } from '../cost/latency-model';
import {
  addMembersBody,
  clockAdvanceBody,
  consentBody,
  consistencyBody,
  createDirectoryObjectBody,
  createGroupBody,
  createTenantBody,
  createUserBody,
  faultsBody,
  lifecycleBody,
  registerAppBody,
  resetBody,
  throttlingBody,
  tokenBody,
  updateGroupBody,
  updateUserBody,
} from './control-schemas';

export interface TenantSummary {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
  initialDomain: string;
  domains: string[];
  users: number;
  groups: number;
  admin: { id: string; userPrincipalName: string } | null;
  /** Credentials of the emulator's default app registration (consented here unless told otherwise). */
  app: { clientId: string; clientSecret: string };
  consents: Array<{ clientId: string; permissions: string[] }>;
  deltaEpoch: number;
  version: number;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function controlError(status: number, code: string, message: string): Reply {
  return json(status, { error: { code, message } });
}

function parse<T extends z.ZodType>(schema: T, request: EmulatorRequest): z.output<T> {
  const body = bodyJson(request);
  if (body === undefined) throw new ControlError(400, 'InvalidJson', 'The body is not JSON.');
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ControlError(400, 'InvalidRequest', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

export function tenantSummary(state: EmulatorState, tenant: Tenant): TenantSummary {
  const admin = tenant.users.find((u) => u.state === 'active' && u.roles.includes('Global Administrator'));
  return {
    tenantId: tenant.id,
    displayName: tenant.displayName,
    defaultDomain: tenant.defaultDomain,
    initialDomain: tenant.initialDomain,
    domains: tenant.domains.map((d) => d.name),
    users: tenant.activeUserCount,
    groups: tenant.groups.filter((g) => g.state === 'active').length,
    admin: admin ? { id: admin.id, userPrincipalName: admin.userPrincipalName } : null,
    app: { clientId: state.defaultApp.clientId, clientSecret: state.defaultApp.secrets[0]! },
    consents: state.cloud.consentsOf(tenant.id).map(([clientId, grant]) => ({ clientId, permissions: [...grant.roles].sort() })),
    deltaEpoch: tenant.deltaEpoch,
    version: tenant.currentVersion,
  };
}

/** The control view of a user: every field, plus state and roles. */
export function controlUser(user: DirectoryUser): Record<string, unknown> {
  const { changes: _changes, groupsBeforeDeletion: _groups, position: _position, createdVersion: _cv, lifecycleVersion: _lv, ...rest } = user;
  return { ...rest };
}

export function controlGroup(group: DirectoryGroup): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    description: group.description,
    mail: group.mail,
    mailNickname: group.mailNickname,
    mailEnabled: group.mailEnabled,
    securityEnabled: group.securityEnabled,
    groupTypes: group.groupTypes,
    visibility: group.visibility,
    state: group.state,
    memberIds: [...group.members],
  };
}

/** Seeds a tenant (generated or demo) and grants consent to the apps asked for. */
export function seedTenant(state: EmulatorState, input: z.input<typeof createTenantBody>): Tenant {
  const body = createTenantBody.parse(input);
  const taken = (domain: string) => state.cloud.domainTaken(domain);
  const { tenant } = body.demo ? generateDemoTenant(taken, input.seed ?? 2024) : generateTenant(body, taken);
  if (state.cloud.tenant(tenant.id)) throw new ControlError(409, 'TenantExists', `Tenant ${tenant.id} already exists (same seed?). Pass another seed or tenantId.`);
  state.cloud.addTenant(tenant);
  for (const clientId of body.consentedApps ?? [state.defaultApp.clientId]) {
    const app = state.cloud.app(clientId);
    if (!app) throw new ControlError(404, 'AppNotFound', `No app registration ${clientId}.`);
    state.cloud.grantConsent(tenant.id, app.clientId, app.requiredPermissions, 'seed');
  }
  return tenant;
}

function newUserProfile(tenant: Tenant, body: z.output<typeof createUserBody>): UserProfile {
  const local = body.displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.').replace(/^\.|\.$/g, '') || 'user';
  const upn = body.userPrincipalName ?? `${local}@${tenant.defaultDomain}`;
  const mail = body.mail === undefined ? (body.userType === 'Guest' ? null : upn) : body.mail;
  return {
    displayName: body.displayName,
    givenName: body.givenName ?? null,
    surname: body.surname ?? null,
    userPrincipalName: upn,
    mail,
    jobTitle: body.jobTitle ?? null,
    department: body.department ?? null,
    officeLocation: body.officeLocation ?? null,
    mobilePhone: body.mobilePhone ?? null,
    businessPhones: body.businessPhones ?? [],
    preferredLanguage: body.preferredLanguage ?? null,
    employeeId: body.employeeId ?? null,
    companyName: body.companyName ?? null,
    country: body.country ?? null,
    city: body.city ?? null,
    usageLocation: body.usageLocation ?? null,
    userType: body.userType ?? 'Member',
    accountEnabled: body.accountEnabled ?? true,
    onPremisesSyncEnabled: body.onPremisesSyncEnabled ?? null,
    proxyAddresses: body.proxyAddresses ?? (mail ? [`SMTP:${mail}`] : []),
    managerId: body.managerId ?? null,
  };
}

/** The control API: JSON under `/_emulator/`, for tests, demos and benchmarks (documented in emulator/README.md). */
export function controlRouter(state: EmulatorState): Router {
  const router = new Router();
  const { cloud } = state;
  const tenantOf = (request: EmulatorRequest): Tenant => {
    const tenant = cloud.tenant(request.params.tenant!);
    if (!tenant) throw new ControlError(404, 'TenantNotFound', `No tenant ${request.params.tenant}.`);
    return tenant;
  };
  const userOf = (tenant: Tenant, id: string): DirectoryUser => {
    const user = tenant.user(id);
    if (!user || user.state === 'purged') throw new ControlError(404, 'UserNotFound', `No user ${id} in tenant ${tenant.id}.`);
    return user;
  };
  const guard =
    (handler: (request: EmulatorRequest) => Reply | Promise<Reply>) =>
    async (request: EmulatorRequest): Promise<Reply> => {
      try {
        return await handler(request);
      } catch (error) {
        if (error instanceof ControlError) return controlError(error.status, error.code, error.message);
        if (error instanceof DirectoryError) return controlError(error.status, error.code, error.message);
        return controlError(400, 'Rejected', error instanceof Error ? error.message : String(error));
      }
    };
  const route = (method: string, template: string, handler: (request: EmulatorRequest) => Reply | Promise<Reply>) => router.add(method, `/_emulator${template}`, guard(handler));

  // --- tenants and apps ---
  route('GET', '/tenants', () => json(200, { value: cloud.tenants().map((t) => tenantSummary(state, t)) }));
  route('POST', '/tenants', (request) => json(201, tenantSummary(state, seedTenant(state, parse(createTenantBody, request)))));
  route('GET', '/tenants/{tenant}', (request) => json(200, tenantSummary(state, tenantOf(request))));
  route('DELETE', '/tenants/{tenant}', (request) => {
    const tenant = tenantOf(request);
    cloud.removeTenant(tenant.id);
    return { status: 204 };
  });
  route('GET', '/apps', () => json(200, { value: cloud.allApps().map((a) => ({ ...a, clientSecret: a.secrets[0] })) }));
  route('POST', '/apps', (request) => {
    const app = cloud.registerApp(parse(registerAppBody, request));
    return json(201, { ...app, clientSecret: app.secrets[0] });
  });
  route('PUT', '/tenants/{tenant}/consent/{clientId}', (request) => {
    const tenant = tenantOf(request);
    const app = cloud.app(request.params.clientId!);
    if (!app) throw new ControlError(404, 'AppNotFound', `No app registration ${request.params.clientId}.`);
    const body = parse(consentBody, request);
    const grant = cloud.grantConsent(tenant.id, app.clientId, body.permissions ?? app.requiredPermissions, body.grantedBy ?? null);
    return json(200, { clientId: app.clientId, permissions: [...grant.roles].sort(), servicePrincipalId: grant.servicePrincipalId });
  });
  route('DELETE', '/tenants/{tenant}/consent/{clientId}', async (request) => {
    const tenant = tenantOf(request);
    if (!cloud.revokeConsent(tenant.id, request.params.clientId!)) throw new ControlError(404, 'ConsentNotFound', 'That app was never consented in this tenant.');
    await state.webhooks.removeForApp(tenant.id, request.params.clientId!);
    return { status: 204 };
  });

  // --- users ---
  route('GET', '/tenants/{tenant}/users', (request) => {
    const tenant = tenantOf(request);
    const limit = Math.min(Number(request.url.searchParams.get('limit') ?? 100), 10_000);
    const offset = Number(request.url.searchParams.get('offset') ?? 0);
    const stateFilter = request.url.searchParams.get('state');
    const users = tenant.users.filter((u) => u.state !== 'purged' && (!stateFilter || u.state === stateFilter));
    return json(200, { total: users.length, value: users.slice(offset, offset + limit).map(controlUser) });
  });
  route('POST', '/tenants/{tenant}/users', (request) => {
    const tenant = tenantOf(request);
    const body = parse(createUserBody, request);
    const user = tenant.createUser(newUserProfile(tenant, body), body.id);
    if (body.roles) user.roles = body.roles;
    return json(201, controlUser(user));
  });
  route('GET', '/tenants/{tenant}/users/{user}', (request) => json(200, controlUser(userOf(tenantOf(request), request.params.user!))));
  route('PATCH', '/tenants/{tenant}/users/{user}', (request) => {
    const tenant = tenantOf(request);
    const { roles, ...patch } = parse(updateUserBody, request);
    const user = tenant.updateUser(request.params.user!, patch);
    if (roles) user.roles = roles;
    return json(200, controlUser(user));
  });
  route('DELETE', '/tenants/{tenant}/users/{user}', (request) => {
    const tenant = tenantOf(request);
    const permanent = request.url.searchParams.get('permanent') === 'true';
    const user = permanent ? tenant.purgeUser(request.params.user!) : tenant.softDeleteUser(request.params.user!);
    return json(200, controlUser(user));
  });
  route('POST', '/tenants/{tenant}/users/{user}/restore', (request) => json(200, controlUser(tenantOf(request).restoreUser(request.params.user!))));

  // --- devices, organizational contacts, service principals ---
  route('GET', '/tenants/{tenant}/directory-objects', (request) => json(200, { value: [...tenantOf(request).otherObjects] }));
  route('POST', '/tenants/{tenant}/directory-objects', (request) => {
    const body = parse(createDirectoryObjectBody, request);
    return json(201, tenantOf(request).addOtherObject(body.kind, body.displayName, body.mail ?? null, body.id));
  });

  // --- groups and memberships ---
  route('GET', '/tenants/{tenant}/groups', (request) => json(200, { value: tenantOf(request).groups.filter((g) => g.state === 'active').map(controlGroup) }));
  route('POST', '/tenants/{tenant}/groups', (request) => {
    const tenant = tenantOf(request);
    const body = parse(createGroupBody, request);
    const nickname = body.mailNickname ?? (body.displayName.toLowerCase().replace(/[^a-z0-9]/g, '') || 'group');
    const group = tenant.createGroup(
      {
        displayName: body.displayName,
        description: body.description ?? null,
        mail: body.mail ?? null,
        mailNickname: nickname,
        mailEnabled: body.mailEnabled ?? false,
        securityEnabled: body.securityEnabled ?? true,
        groupTypes: body.groupTypes ?? [],
        visibility: body.visibility ?? null,
      },
      body.id,
    );
    for (const member of body.memberIds ?? []) tenant.addMember(group.id, tenant.user(member)?.id ?? member);
    return json(201, controlGroup(group));
  });
  route('GET', '/tenants/{tenant}/groups/{group}', (request) => {
    const group = tenantOf(request).activeGroup(request.params.group!);
    if (!group) throw new ControlError(404, 'GroupNotFound', `No group ${request.params.group}.`);
    return json(200, controlGroup(group));
  });
  route('PATCH', '/tenants/{tenant}/groups/{group}', (request) => json(200, controlGroup(tenantOf(request).updateGroup(request.params.group!, parse(updateGroupBody, request)))));
  route('DELETE', '/tenants/{tenant}/groups/{group}', (request) => {
    tenantOf(request).deleteGroup(request.params.group!);
    return { status: 204 };
  });
  route('POST', '/tenants/{tenant}/groups/{group}/members', (request) => {
    const tenant = tenantOf(request);
    const body = parse(addMembersBody, request);
    for (const member of body.memberIds) tenant.addMember(request.params.group!, tenant.user(member)?.id ?? member);
    return json(200, controlGroup(tenant.activeGroup(request.params.group!)!));
  });
  route('DELETE', '/tenants/{tenant}/groups/{group}/members/{member}', (request) => {
    const tenant = tenantOf(request);
    tenant.removeMember(request.params.group!, tenant.user(request.params.member!)?.id ?? request.params.member!);
    return { status: 204 };
  });

  // --- eventual consistency (delta replays, duplicates, order, empty pages, replication delay) ---
  route('GET', '/tenants/{tenant}/consistency', (request) => json(200, tenantOf(request).consistency));
  route('PUT', '/tenants/{tenant}/consistency', (request) => {
    const tenant = tenantOf(request);
    tenant.consistency = parse(consistencyBody, request);
    return json(200, tenant.consistency);
  });

  // --- the latency cost model (emulator-wide) ---
  route('GET', '/latency', () => json(200, state.latency.settings));
  route('PUT', '/latency', (request) => {
    state.latency.settings = parse(latencySettings, request);
    return json(200, state.latency.settings);
  });

  // --- time: let issued tokens expire without waiting 60 to 90 minutes ---
  route('POST', '/tenants/{tenant}/clock/advance', (request) => {
    const tenant = tenantOf(request);
    tenant.clockOffsetMs += parse(clockAdvanceBody, request).seconds * 1000;
    return json(200, { clockOffsetSeconds: tenant.clockOffsetMs / 1000 });
  });

  // --- faults, throttling, delta tokens ---
  route('GET', '/tenants/{tenant}/faults', (request) => json(200, state.faults.of(tenantOf(request).id)));
  route('PUT', '/tenants/{tenant}/faults', (request) => json(200, state.faults.set(tenantOf(request).id, parse(faultsBody, request))));
  route('DELETE', '/tenants/{tenant}/faults', (request) => {
    state.faults.clear(tenantOf(request).id);
    return json(200, faultSettings.parse({}));
  });
  route('POST', '/tenants/{tenant}/delta-tokens/expire', (request) => {
    const tenant = tenantOf(request);
    tenant.deltaEpoch++;
    return json(200, { deltaEpoch: tenant.deltaEpoch });
  });
  route('GET', '/tenants/{tenant}/throttling', (request) => json(200, state.throttle.settingsOf(tenantOf(request).id)));
  route('PUT', '/tenants/{tenant}/throttling', (request) => json(200, state.throttle.configure(tenantOf(request).id, parse(throttlingBody, request))));

  // --- tokens minted directly (what Teams SSO would hand the tab) ---
  route('POST', '/tenants/{tenant}/tokens', async (request) => {
    const tenant = tenantOf(request);
    const body = parse(tokenBody, request);
    if ('app' in body) {
      const app = cloud.app(body.app);
      const grant = app && cloud.consent(tenant.id, app.clientId);
      if (!app || !grant) throw new ControlError(404, 'ConsentNotFound', `App ${body.app} has no service principal in tenant ${tenant.id}.`);
      return json(200, { accessToken: await state.issuer.appToken(tenant, app, grant, body.lifetimeSeconds) });
    }
    const user = userOf(tenant, body.user);
    const clientId = body.clientId ?? state.defaultApp.clientId;
    const audience = body.audience ?? clientId;
    const scopes = body.scopes ?? (audience === GRAPH_RESOURCE ? ['User.Read'] : ['access_as_user']);
    const resourceApp = audience === GRAPH_RESOURCE ? undefined : (cloud.app(audience) ?? cloud.appByIdentifierUri(audience));
    const version = resourceApp && resourceApp.accessTokenAcceptedVersion !== 2 ? 1 : 2;
    const accessToken = await state.issuer.userToken({ tenant, user, clientId, audience, scopes, roles: body.roles, lifetimeSeconds: body.lifetimeSeconds, version });
    const idToken = await state.issuer.idToken({ tenant, user, clientId });
    return json(200, { accessToken, idToken, issuer: state.issuer.issuer(tenant.id, version) });
  });

  // --- subscriptions ---
  route('GET', '/notification-timing', () => json(200, state.webhooks.timing));
  route('PUT', '/notification-timing', (request) => {
    state.webhooks.timing = parse(notificationTiming, request);
    return json(200, state.webhooks.timing);
  });
  route('GET', '/tenants/{tenant}/subscriptions', (request) => json(200, { value: state.webhooks.list(tenantOf(request).id) }));
  route('GET', '/tenants/{tenant}/subscriptions/{id}/deliveries', (request) => {
    tenantOf(request);
    return json(200, { value: state.webhooks.deliveryLog(request.params.id) });
  });
  route('POST', '/tenants/{tenant}/subscriptions/{id}/lifecycle', async (request) => {
    const tenant = tenantOf(request);
    const body = parse(lifecycleBody, request);
    const delivery = await state.webhooks.lifecycle(tenant.id, request.params.id!, body.event);
    if (!delivery) throw new ControlError(404, 'SubscriptionNotFound', `No subscription ${request.params.id}.`);
    return json(200, delivery);
  });

  // --- counters and the request log ---
  route('GET', '/counters', (request) => json(200, state.meter.snapshot(request.url.searchParams.get('tenantId') ?? undefined)));
  route('POST', '/counters/reset', (request) => {
    const { tenantId } = parse(resetBody, request);
    state.meter.reset(tenantId);
    return { status: 204 };
  });
  route('GET', '/requests', (request) =>
    json(200, { value: state.meter.requests({ tenantId: request.url.searchParams.get('tenantId') ?? undefined, limit: Number(request.url.searchParams.get('limit') ?? 200) }) }),
  );
  return router;
}
