import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningEmulator } from '@users-sync/emulator/index';
import path from 'node:path';
import { startEmulator } from '@users-sync/emulator/index';
import { testCertificateDir } from '../support/dev-certificate-path';
import { graph, seedTenant, startTestEmulator, type SeededTenant } from './emulator-harness';

interface Received {
  path: string;
  validationToken: string | null;
  body: { value?: Array<Record<string, unknown>> } | null;
}

/** A local notification endpoint: echoes validation tokens (unless told not to) and records what arrives. */
async function startReceiver(options: { echo: boolean; failNotifications?: boolean }) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const validationToken = url.searchParams.get('validationToken');
      received.push({ path: url.pathname, validationToken, body: raw ? (JSON.parse(raw) as Received['body']) : null });
      if (validationToken !== null) {
        // Not chained: restify (loaded by other suites in the same worker) patches writeHead to return nothing.
        if (!options.echo) {
          res.writeHead(500);
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(validationToken);
        return;
      }
      res.writeHead(options.failNotifications ? 500 : 202);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Graph change notifications (webhooks)', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 40, groups: 3, seed: 707 });
    receiver = await startReceiver({ echo: true });
  });
  afterAll(async () => {
    await receiver.close();
    await emulator.close();
  });

  const inOneDay = () => new Date(Date.now() + 24 * 3600_000).toISOString();

  it('creates a subscription after the validation handshake, then delivers changes with clientState within seconds', async () => {
    const created = await graph<Record<string, unknown>>(emulator, tenant.token, '/subscriptions', {
      method: 'POST',
      body: { changeType: 'updated,deleted', notificationUrl: `${receiver.url}/notify`, lifecycleNotificationUrl: `${receiver.url}/lifecycle`, resource: 'users', expirationDateTime: inOneDay(), clientState: 'secret-state' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ resource: 'users', changeType: 'updated,deleted', clientState: 'secret-state', applicationId: tenant.app.clientId });
    const validation = receiver.received.find((r) => r.path === '/notify' && r.validationToken);
    expect(validation?.validationToken).toMatch(/^Validation: Testing client application reachability/);

    const user = (await emulator.control.users(tenant.tenantId, { limit: 10 })).value[3]!;
    const changedAt = Date.now();
    await emulator.control.updateUser(tenant.tenantId, user.id, { jobTitle: 'Webhook Tester' });
    const note = await waitFor(() => receiver.received.find((r) => r.path === '/notify' && r.body?.value?.some((v) => (v.resourceData as { id: string }).id === user.id)));
    expect(Date.now() - changedAt).toBeLessThan(3000);
    expect(note.body!.value![0]).toMatchObject({
      subscriptionId: created.body.id,
      clientState: 'secret-state',
      changeType: 'updated',
      resource: `Users/${user.id}`,
      tenantId: tenant.tenantId,
      resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${user.id}`, id: user.id },
    });

    await emulator.control.purgeUser(tenant.tenantId, user.id);
    const deleted = await waitFor(() => receiver.received.find((r) => r.body?.value?.some((v) => v.changeType === 'deleted')));
    expect(deleted.body!.value!.find((v) => v.changeType === 'deleted')!.resource).toBe(`Users/${user.id}`);
  });

  it('sends a reauthorizationRequired lifecycle event on demand; reauthorize and renew work; delete stops it', async () => {
    const subscription = (await emulator.control.subscriptions(tenant.tenantId))[0]!;
    await emulator.control.sendLifecycleEvent(tenant.tenantId, subscription.id, 'reauthorizationRequired');
    const lifecycle = await waitFor(() => receiver.received.find((r) => r.path === '/lifecycle' && r.body?.value?.[0]?.lifecycleEvent));
    expect(lifecycle.body!.value![0]).toMatchObject({ lifecycleEvent: 'reauthorizationRequired', subscriptionId: subscription.id, clientState: 'secret-state' });

    expect((await graph(emulator, tenant.token, `/subscriptions/${subscription.id}/reauthorize`, { method: 'POST' })).status).toBe(200);
    const later = new Date(Date.now() + 2 * 24 * 3600_000).toISOString();
    const renewed = await graph<{ expirationDateTime: string }>(emulator, tenant.token, `/subscriptions/${subscription.id}`, { method: 'PATCH', body: { expirationDateTime: later } });
    expect(renewed.status).toBe(200);
    expect(new Date(renewed.body.expirationDateTime).getTime()).toBe(new Date(later).getTime());
    const tooFar = new Date(Date.now() + 41_761 * 60_000).toISOString();
    expect((await graph(emulator, tenant.token, `/subscriptions/${subscription.id}`, { method: 'PATCH', body: { expirationDateTime: tooFar } })).status).toBe(400);

    expect((await graph(emulator, tenant.token, `/subscriptions/${subscription.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await graph(emulator, tenant.token, `/subscriptions/${subscription.id}`)).status).toBe(404);
  });

  it('notifies membership changes to a groups/{id}/members subscription', async () => {
    const group = (await emulator.control.groups(tenant.tenantId))[0]!;
    const created = await graph<{ id: string }>(emulator, tenant.token, '/subscriptions', {
      method: 'POST',
      body: { changeType: 'updated', notificationUrl: `${receiver.url}/members`, resource: `groups/${group.id}/members`, expirationDateTime: inOneDay(), clientState: 'm' },
    });
    expect(created.status).toBe(201);
    const newcomer = await emulator.control.createUser(tenant.tenantId, { displayName: 'Member Newcomer' });
    await emulator.control.addMembers(tenant.tenantId, group.id, [newcomer.id]);
    const note = await waitFor(() => receiver.received.find((r) => r.path === '/members' && r.body?.value));
    expect(note.body!.value![0]).toMatchObject({ subscriptionId: created.body.id, clientState: 'm', resource: `Groups/${group.id}` });
  });

  it('refuses a subscription whose endpoint fails the handshake', async () => {
    const silent = await startReceiver({ echo: false });
    try {
      const refused = await graph<{ error: { code: string; message: string } }>(emulator, tenant.token, '/subscriptions', {
        method: 'POST',
        body: { changeType: 'updated', notificationUrl: `${silent.url}/notify`, resource: 'users', expirationDateTime: inOneDay() },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain('validation');
    } finally {
      await silent.close();
    }
  });

  it('refuses created as a changeType for users and expirations beyond 41,760 minutes', async () => {
    const base = { notificationUrl: `${receiver.url}/notify`, resource: 'users', expirationDateTime: inOneDay() };
    expect((await graph(emulator, tenant.token, '/subscriptions', { method: 'POST', body: { ...base, changeType: 'created' } })).status).toBe(400);
    const far = new Date(Date.now() + 41_761 * 60_000).toISOString();
    expect((await graph(emulator, tenant.token, '/subscriptions', { method: 'POST', body: { ...base, changeType: 'updated', expirationDateTime: far } })).status).toBe(400);
  });
});

describe('change notifications as strict as Graph', () => {
  let emulator: RunningEmulator;
  let tenant: SeededTenant;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    tenant = await seedTenant(emulator, { users: 30, groups: 2, seed: 808 });
    receiver = await startReceiver({ echo: true });
  });
  afterAll(async () => {
    await receiver.close();
    await emulator.close();
  });
  afterEach(() => emulator.control.setNotificationTiming({}));

  const inOneDay = () => new Date(Date.now() + 24 * 3600_000).toISOString();
  const subscribe = (body: Record<string, unknown>) =>
    graph<{ id: string; error?: { code: string; message: string } }>(emulator, tenant.token, '/subscriptions', { method: 'POST', body: { changeType: 'updated', resource: 'users', expirationDateTime: inOneDay(), ...body } });

  it('wants https notification and lifecycle URLs (change-notifications-delivery-webhooks); http only to loopback, and only when development allows it', async () => {
    const remote = await subscribe({ notificationUrl: 'http://example.com/notify' });
    expect(remote.status).toBe(400);
    expect(remote.body.error).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('https') });
    const remoteLifecycle = await subscribe({ notificationUrl: `${receiver.url}/notify`, lifecycleNotificationUrl: 'http://example.com/lifecycle' });
    expect(remoteLifecycle.status).toBe(400);

    const strict = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 2, tenant: 'none' });
    try {
      const strictTenant = await seedTenant(strict, { users: 5, groups: 0, seed: 3 });
      const refused = await graph<{ error: { message: string } }>(strict, strictTenant.token, '/subscriptions', {
        method: 'POST',
        body: { changeType: 'updated', resource: 'users', expirationDateTime: inOneDay(), notificationUrl: `${receiver.url}/notify` },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain('https');
    } finally {
      await strict.close();
    }
  });

  it('retries a failed delivery with growing delays, and stops when the retry window is over (Graph: up to 4 hours)', async () => {
    const failing = await startReceiver({ echo: true, failNotifications: true });
    try {
      await emulator.control.setNotificationTiming({ firstRetryDelayMs: 40, maxRetryDelayMs: 160, retryWindowMs: 700 });
      const created = await subscribe({ notificationUrl: `${failing.url}/notify` });
      expect(created.status).toBe(201);
      const someone = (await emulator.control.users(tenant.tenantId, { limit: 3 })).value[2]!;
      await emulator.control.updateUser(tenant.tenantId, someone.id, { jobTitle: 'Retried' });
      const attempts = () => failing.received.filter((r) => r.path === '/notify' && r.validationToken === null).length;
      await waitFor(() => (attempts() >= 3 ? true : undefined));
      await new Promise((r) => setTimeout(r, 1_200));
      const settled = attempts();
      expect(settled).toBeGreaterThanOrEqual(3);
      // 40 + 80 + 160 + 160 + 160 ms fit in 700 ms: at most 6 attempts in all, then no more.
      expect(settled).toBeLessThanOrEqual(6);
      await new Promise((r) => setTimeout(r, 300));
      expect(attempts()).toBe(settled);
      const times = (await emulator.control.deliveries(tenant.tenantId, created.body.id)).filter((d) => d.kind === 'notification').map((d) => Date.parse(d.at));
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      // Lower bounds only (a loaded machine makes gaps longer, never shorter): 40 ms, then 80 ms.
      expect(gaps[0]!).toBeGreaterThanOrEqual(30);
      expect(gaps[1]!).toBeGreaterThanOrEqual(70);
    } finally {
      await failing.close();
    }
  });

  it('sends reauthorizationRequired by itself before a subscription expires (change-notifications-lifecycle-events)', async () => {
    await emulator.control.setNotificationTiming({ reauthorizationLeadMs: 25 * 3600_000 });
    const created = await subscribe({ notificationUrl: `${receiver.url}/notify`, lifecycleNotificationUrl: `${receiver.url}/lifecycle`, clientState: 'life' });
    expect(created.status).toBe(201);
    const event = await waitFor(() => receiver.received.find((r) => r.path === '/lifecycle' && r.body?.value?.[0]?.subscriptionId === created.body.id));
    expect(event.body!.value![0]).toMatchObject({ lifecycleEvent: 'reauthorizationRequired', clientState: 'life', tenantId: tenant.tenantId });
  });

  it('drops the app’s subscriptions with subscriptionRemoved when its consent is revoked', async () => {
    const created = await subscribe({ notificationUrl: `${receiver.url}/notify`, lifecycleNotificationUrl: `${receiver.url}/lifecycle` });
    expect(created.status).toBe(201);
    await emulator.control.revokeConsent(tenant.tenantId, tenant.app.clientId);
    const event = await waitFor(() => receiver.received.find((r) => r.path === '/lifecycle' && r.body?.value?.[0]?.lifecycleEvent === 'subscriptionRemoved' && r.body.value[0].subscriptionId === created.body.id));
    expect(event).toBeDefined();
    expect((await emulator.control.subscriptions(tenant.tenantId)).map((s) => s.id)).not.toContain(created.body.id);
  });
});
