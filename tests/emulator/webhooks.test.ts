import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningEmulator } from '@users-sync/emulator/index';
import { graph, seedTenant, startTestEmulator, type SeededTenant } from './emulator-harness';

interface Received {
  path: string;
  validationToken: string | null;
  body: { value?: Array<Record<string, unknown>> } | null;
}

/** A local notification endpoint: echoes validation tokens (unless told not to) and records what arrives. */
async function startReceiver(options: { echo: boolean }) {
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
      res.writeHead(202);
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
