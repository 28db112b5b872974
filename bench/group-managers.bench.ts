/**
 * Group scope of nested groups under Graph's normal throttling and the default cost model
 * (emulator as a separate process, latency on, resource-unit throttling on): a full sync of
 * MEMBERS users in 5 nested security groups of a TENANT-user tenant, against a baseline
 * measured in the same run on the same tenant — the members read the same way, then one
 * `$batch` item per member for its manager (what the sync did before). Figures are ratios
 * to that baseline.
 * Run: `npm run build -w emulator && node bench/run.cjs group-managers.bench.ts [members] [tenant]`;
 * the figures go to bench/results/group-managers.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGraphReader } from '../api/src/graph';
import { openStore } from '../api/src/store';
import { SyncService } from '../api/src/sync';
import { castHeaders, graphQueries } from '../api/src/sync/graph-queries';
import { EmulatorControl } from '../emulator/src/control/control-client';
import { startEmulatorProcess } from './emulator-process';

const root = path.resolve(__dirname, '..');
const members = Number(process.argv[3] ?? 10_000);
const tenantUsers = Number(process.argv[4] ?? 20_000);


interface Figures {
  ok: boolean;
  error?: string;
  wallMs: number;
  requests: number;
  resourceUnits: number;
  throttled: number;
}

async function main(): Promise<void> {
  const emulator = await startEmulatorProcess(root);
  const control = new EmulatorControl(emulator.url);
  try {
    const tenant = await control.createTenant({ users: tenantUsers, groups: 0, seed: 12, nonUserObjects: false });
    const everyone: Array<{ id: string; accountEnabled: boolean }> = [];
    // The control API lists at most 10,000 users a call.
    for (let offset = 0; offset < tenantUsers; offset += 10_000) everyone.push(...(await control.users(tenant.tenantId, { limit: 10_000, offset })).value.filter((u) => u.accountEnabled));
    const chosen = everyone.slice(0, members);
    // Five security groups nested in a chain, members spread over them.
    const share = Math.ceil(chosen.length / 5);
    let inner: string | null = null;
    let rootId = '';
    for (let g = 4; g >= 0; g--) {
      const ids = chosen.slice(g * share, (g + 1) * share).map((u) => u.id);
      const group = await control.createGroup(tenant.tenantId, { displayName: g === 0 ? 'arsen' : `nested ${g}`, memberIds: inner ? [...ids, inner] : ids });
      inner = group.id;
      rootId = group.id;
    }
    const reader = () => createGraphReader({ tenantId: tenant.tenantId, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url });
    const counted = async (work: () => Promise<void>): Promise<Figures> => {
      await control.resetCounters(tenant.tenantId);
      const started = performance.now();
      let ok = true;
      let error: string | undefined;
      try {
        await work();
      } catch (e) {
        ok = false;
        error = e instanceof Error ? e.message : String(e);
      }
      const wallMs = Math.round(performance.now() - started);
      const c = await control.counters(tenant.tenantId);
      return { ok, ...(error ? { error } : {}), wallMs, requests: c.requests, resourceUnits: c.resourceUnits, throttled: c.throttled };
    };

    const baseline = await counted(async () => {
      const r = reader();
      const ids: string[] = [];
      for await (const page of r.pages<{ id: string }>(graphQueries.usersUnderGroup(rootId), { headers: castHeaders })) for (const u of page.value) ids.push(u.id);
      const answers = await r.batch(ids.map(graphQueries.userManager));
      const failed = answers.find((a) => !a.ok);
      if (failed && !failed.ok) throw failed.error;
    });

    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-bench-'));
    const store = await openStore({ dataDir });
    const org = await store.organizations.create('Bench');
    await store.connections.save(org.id, tenant.tenantId, 'granted');
    await store.configurations.save(org.id, { scope: { kind: 'group_name', groupName: 'arsen' } });
    const service = new SyncService({ store, graphReaderFor: reader });
    let created = 0;
    const sync = await counted(async () => {
      const run = await service.runSync(org.id);
      created = run.counts.created;
      if (run.status !== 'succeeded') throw new Error(`${run.status}: ${run.error?.message ?? ''}`);
    });
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });

    const ratio = (a: number, b: number) => +(a / Math.max(1, b)).toFixed(2);
    const results = {
      machine: { cpus: os.cpus().length, node: process.version },
      at: new Date().toISOString(),
      scenario: { tenantUsers, members, groups: 5, costModel: 'emulator default (latency on, resource-unit throttling on)' },
      baselinePerMemberBatch: baseline,
      sync: { ...sync, created },
      syncVsBaseline: { requests: ratio(sync.requests, baseline.requests), resourceUnits: ratio(sync.resourceUnits, baseline.resourceUnits), wall: ratio(sync.wallMs, baseline.wallMs) },
    };
    console.log(JSON.stringify(results, null, 2));
    mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(root, 'bench', 'results', 'group-managers.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    emulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
