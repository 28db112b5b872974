/**
 * Sync benchmark: requests, wall time and peak RSS for a full sync of 10,000 and 100,000
 * users and an incremental sync of 100 changes in the 100,000-user tenant, against the
 * emulator (separate process, zero latency). The baseline, measured in the same run, is
 * the emulator's raw paging cost: reading /users at 999 a page with a bare fetch.
 * Run: `npm run bench` (builds the emulator, then `node bench/run.cjs`); results in bench/results/sync.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGraphReader } from '../api/src/graph';
import { openStore } from '../api/src/store';
import { SyncService } from '../api/src/sync';
import { EmulatorControl } from '../emulator/src/control/control-client';
import { startEmulatorProcess } from './emulator-process';

const root = path.resolve(__dirname, '..');


async function measure<T>(work: () => Promise<T>): Promise<{ result: T; wallMs: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  try {
    const result = await work();
    return { result, wallMs: Math.round(performance.now() - start), peakRssMb: Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6) };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess(root, ['--latency', 'off']);
  const control = new EmulatorControl(emulator.url);
  const results: Record<string, unknown> = { machine: { cpus: os.cpus().length, node: process.version }, at: new Date().toISOString() };
  try {
    for (const users of [10_000, 100_000]) {
      const tenant = await control.createTenant({ users, groups: 10, seed: 7 });
      const reader = () => createGraphReader({ tenantId: tenant.tenantId, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url });
      // Baseline: the emulator's raw paging cost, same pages, nothing mapped or written.
      const baseline = await measure(async () => {
        const r = reader();
        let n = 0;
        for await (const page of r.pages<unknown>('/users?$top=999&$select=id,mail,userPrincipalName,displayName,department')) n += page.value.length;
        return { users: n, requests: r.requestCount };
      });
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-bench-'));
      const store = await openStore({ dataDir });
      const org = await store.organizations.create('Bench');
      await store.connections.save(org.id, tenant.tenantId, 'granted');
      const service = new SyncService({ store, graphReaderFor: reader });
      const full = await measure(() => service.runSync(org.id, { full: true }));
      results[`full_${users}`] = {
        requests: full.result.graphRequests,
        wallMs: full.wallMs,
        peakRssMb: full.peakRssMb,
        counts: full.result.counts,
        status: full.result.status,
        baseline: { wallMs: baseline.wallMs, requests: baseline.result.requests },
        wallVsBaseline: +(full.wallMs / Math.max(1, baseline.wallMs)).toFixed(2),
      };
      if (users === 100_000) {
        const some = await control.users(tenant.tenantId, { limit: 100 });
        for (const [i, u] of some.value.entries()) await control.updateUser(tenant.tenantId, u.id, { department: `Bench ${i}` });
        const incremental = await measure(() => service.runSync(org.id));
        results.incremental_100_changes_in_100000 = {
          requests: incremental.result.graphRequests,
          wallMs: incremental.wallMs,
          peakRssMb: incremental.peakRssMb,
          counts: incremental.result.counts,
          mode: incremental.result.mode,
          requestsVsFull: +(incremental.result.graphRequests / Math.max(1, full.result.graphRequests)).toFixed(3),
        };
      }
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
      await control.deleteTenant(tenant.tenantId);
      process.stderr.write(`measured ${users.toLocaleString('en')} users\n`);
    }
  } finally {
    emulator.stop();
  }
  // A local run leaves the work tree clean; `npm run bench -- --publish` replaces the published figures.
  const folder = process.argv.includes('--publish') ? path.join(root, 'bench', 'results') : path.join(root, 'bench', 'results', 'tmp');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'sync.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
