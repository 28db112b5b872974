import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadApiConfig } from '@users-sync/api/config';
import { buildApiServices } from '@users-sync/api/composition';
import { createApiApp } from '@users-sync/api/http/app';
import { createLogger } from '@users-sync/api/service/index';
import { openStore } from '@users-sync/api/store/index';

describe('a sync interrupted by an api restart', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('ends as interrupted when the api starts again, deactivating nobody and no longer blocking new syncs', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    // The api that was running: it queued a run, started it, and stopped without a word.
    const before = await openStore({ dataDir, clock: () => minutesAgo(10) });
    const organization = await before.organizations.create('Contoso', '4f0a8a3e-2f9c-4d41-9a57-0c1f4a4b1c11');
    const { run } = await before.activeRuns.createUnlessActive({ organizationId: organization.id, trigger: 'manual', mode: 'full', dryRun: false });
    await before.runs.update(run.id, { status: 'running', startedAt: minutesAgo(10).toISOString() });
    await before.close();

    const app = createApiApp(await buildApiServices(loadApiConfig({ DATA_DIR: dataDir }), createLogger({ service: 'api', level: 'silent', pretty: false })), '1.0.0');
    await app.start();
    try {
      const after = await app.services.store.runs.get(run.id);
      expect(after).toMatchObject({ status: 'failed', error: { code: 'SYNC_INTERRUPTED' }, counts: { deactivated: 0 } });
      const next = await app.services.store.activeRuns.createUnlessActive({ organizationId: organization.id, trigger: 'manual', mode: 'full', dryRun: true });
      expect(next.created).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
