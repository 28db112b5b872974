import { createBotApp } from '@users-sync/bot/app';
import { loadBotConfig } from '@users-sync/bot/config';
import { close, createLogger, listen } from '@users-sync/api/service';
import type { BotNotification } from '@users-sync/api/contract';
import { makeRun } from './support/fake-users-sync-api';

const run = makeRun({ counts: { created: 100, updated: 0, deactivated: 0, reactivated: 0, unchanged: 0, skipped: 20 } });
const notification: BotNotification = { kind: 'sync_finished', organizationId: 'org-1', tenantId: '11111111-1111-1111-1111-111111111111', run };

describe('the bot hears from the api about sync runs', () => {
  const received: BotNotification[] = [];
  let base: string;
  const app = createBotApp(loadBotConfig({ NOTIFY_SECRET: 'shared-secret-value' }), createLogger({ service: 'bot', level: 'silent', pretty: false }), '0.0.0', {
    onNotification: async (n) => {
      received.push(n);
    },
  });
  beforeAll(async () => {
    base = `http://127.0.0.1:${await listen(app.server, 0, '127.0.0.1', 'BOT_PORT')}`;
  });
  afterAll(() => close(app.server));

  const post = (body: unknown, secret?: string) =>
    fetch(`${base}/api/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-notify-secret': secret } : {}) },
      body: JSON.stringify(body),
    });

  it('accepts a sync report from the api that knows the shared secret', async () => {
    const res = await post(notification, 'shared-secret-value');
    expect(res.status).toBe(202);
    expect(received).toEqual([notification]);
  });

  it('refuses a caller without the secret, or with the wrong one, and handles nothing', async () => {
    received.length = 0;
    for (const secret of [undefined, 'guess', 'shared-secret-valuX']) {
      const res = await post(notification, secret);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { code: string }).code).toBe('NOTIFY_SECRET_INVALID');
    }
    expect(received).toEqual([]);
  });

  it('refuses a notification that does not match the contract', async () => {
    const res = await post({ kind: 'sync_finished', run: { id: 'x' } }, 'shared-secret-value');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('NOTIFICATION_INVALID');
  });

  it('refuses every notification when no secret is configured', async () => {
    const open = createBotApp(loadBotConfig({}), createLogger({ service: 'bot', level: 'silent', pretty: false }), '0.0.0');
    const port = await listen(open.server, 0, '127.0.0.1', 'BOT_PORT');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/notify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(503);
    } finally {
      await close(open.server);
    }
  });
});
