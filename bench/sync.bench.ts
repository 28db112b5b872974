/**
 * Sync benchmark: the engine against baselines measured in the same run, on the same tenant,
 * against the emulator in its own process with its default cost model (latency growing with
 * a page's objects, at most 100 objects a page with `$expand`, resource-unit throttling on),
 * or with latency off.
 *
 *   npm run bench -- [--users 10000,100000] [--scenario full,resync,incremental,groups,notifications]
 *                    [--latency on,off] [--changes 100,10000] [--postgres] [--json] [--publish]
 *
 * Per scenario: Graph requests, resource units and 429s (the emulator's counters), wall time,
 * users per second, peak RSS of the syncing process (each run in its own process), and ratios
 * to (a) a naive sync — Microsoft's Graph client, default page size, every user listed every
 * run, one SQLite transaction; (b) a bare read of the same partitioned queries, concurrently,
 * rows discarded (the ceiling for reading); (c) the request floor of the scope.
 *
 * Scenarios:
 * - `full`, `resync`, `incremental`: all users; incremental after `--changes` users changed.
 * - `groups`: a scope of 3 security groups, each the top of a chain of 3 nested groups, with
 *   half the tenant's enabled users spread over the 9 groups (set up through the control API,
 *   bench/nested-group-scope.ts); a full sync with managers. Baseline (a) is the naive tool
 *   on that scope: every user listed with the manager expanded (as (a) does anyway — that is
 *   where a naive tool gets managers), and each group's direct members read with the Graph
 *   client's `PageIterator`, nested groups followed on the client, only members written. The
 *   floor: group lookups, 2 delta links, transitive members at 999 a page, managers (the
 *   fewer of a `$batch` item per member and the tenant-wide listing at 100 a page), nested
 *   groups, direct members (see groupScopeFloor).
 * - `notifications`: change → directory latency (bench/change-latency.ts): after a full sync,
 *   the api's composition root runs in this process with its production defaults, subscribes
 *   through `POST /subscriptions` (the emulator validates its webhook over loopback http), and
 *   50 changes are made with the control API's `updateUser` (20 single, 6 bursts of 5, 3–7 s
 *   apart); each change's latency runs to the first poll of the store (every 50 ms) showing
 *   it. Reported: median and 95th percentile, requests during the window against one delta
 *   round per change event (the floor), and the peak RSS of this process (which hosts the api).
 *
 * `--json` prints one JSON object; `--publish` also writes bench/results/sync.json and
 * bench/RESULTS.md (without it they go to bench/results/tmp/).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGraphReader } from '../api/src/graph';
import type { SyncScope } from '../api/src/domain';
import { dropPostgresSchema, openStore } from '../api/src/store';
import { graphQueries } from '../api/src/sync/graph-queries';
import { partitionsInFlight, upnPartitions } from '../api/src/sync/full-sync';
import { EmulatorControl } from '../emulator/src/control/control-client';
import { measureChangeLatency } from './change-latency';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process';
import { createNestedGroupScope, groupScopeFloor } from './nested-group-scope';

const root = path.resolve(__dirname, '..');

/** What sync-worker.cjs is asked to do (as JSON on its command line). */
interface WorkerJob {
  kind: 'sync' | 'naive';
  emulatorUrl: string;
  tenantId: string;
  dataDir: string;
  clientId: string;
  clientSecret: string;
  /** sync: the organization, and whether to force a full run. */
  organizationId?: string;
  full?: boolean;
  databaseUrl?: string;
  schema?: string;
  /** naive: an app token (the naive tool's auth provider just hands it over). */
  token?: string;
  /** naive: the scope's groups; absent for all users. */
  groupIds?: string[];
}

/** The one JSON line sync-worker.cjs prints. */
interface WorkerResult {
  wallMs: number;
  /** CPU time (user + system) of the measured run in the syncing process. */
  cpuMs: number;
  maxRssMb: number;
  /** Peaks of the V8 heap and of memory outside it during the run, sampled every 50 ms. */
  memory?: { heapTotalMb: number; heapUsedMb: number; externalMb: number };
  status: string;
  mode?: string;
  counts?: Record<string, number>;
  users?: number;
  error?: string;
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] && !process.argv[at + 1]!.startsWith('--') ? process.argv[at + 1]! : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

const userCounts = list(option('users', '10000,100000')).map(Number);
const scenarios = new Set(list(option('scenario', 'full,resync,incremental,groups,notifications')));
const latencies = list(option('latency', 'on'));
const changeCounts = list(option('changes', '100,10000')).map(Number);
const postgresUrl = flag('postgres') ? (process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test') : undefined;

interface Row {
  scenario: string;
  users: number;
  latency: string;
  store: 'sqlite' | 'postgres';
  wallMs: number;
  /** CPU time of the syncing process (null for the bare read, which runs in the benchmark's own process). */
  cpuMs: number | null;
  usersPerSecond: number;
  requests: number;
  resourceUnits: number;
  throttled: number;
  peakRssMb: number | null;
  memory?: WorkerResult['memory'];
  floorRequests: number;
  status: string;
  counts?: Record<string, number> | undefined;
  vsNaive: number | null;
  vsBareRead: number | null;
  requestsVsFloor: number;
  /** notifications: change → directory latency, median and 95th percentile, in ms. */
  p50Ms?: number;
  p95Ms?: number;
}

const ratio = (a: number, b: number) => +(a / Math.max(1, b)).toFixed(2);

/** BENCH_CPU_PROFILE=dir writes a V8 CPU profile of every measured run there (open it in Chrome's DevTools). */
const profileArgs = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROFILE)}`] : [];

function worker(job: WorkerJob): WorkerResult {
  const out = execFileSync(process.execPath, [...profileArgs, path.join(__dirname, 'sync-worker.cjs'), JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as WorkerResult;
}

/** A control call again (up to 4 times) when the idle keep-alive connections it went out on had just been closed (EPIPE, "fetch failed"). */
async function again<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function counted<T extends { wallMs: number }>(control: EmulatorControl, tenantId: string, work: () => Promise<T> | T): Promise<T & { requests: number; resourceUnits: number; throttled: number }> {
  await again(() => control.resetCounters(tenantId));
  const result = await work();
  const c = await again(() => control.counters(tenantId));
  return { ...result, requests: c.requests, resourceUnits: c.resourceUnits, throttled: c.throttled };
}

/** (b) The same partitioned queries as the sync, side by side, rows counted and dropped. */
async function bareRead(emulator: EmulatorProcess, tenantId: string, tenantUsers: number): Promise<{ wallMs: number; users: number }> {
  const reader = createGraphReader({ tenantId, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url });
  const started = performance.now();
  const waiting = upnPartitions(tenantUsers);
  let users = 0;
  await Promise.all(
    Array.from({ length: partitionsInFlight }, async () => {
      for (let initial = waiting.shift(); initial !== undefined; initial = waiting.shift()) {
        for await (const page of reader.pages<unknown>(graphQueries.usersStartingWith(initial))) users += page.value.length;
      }
    }),
  );
  return { wallMs: Math.round(performance.now() - started), users };
}

/** Gives each user a department no earlier round gave it (`round` names the store and the round: a value set again is no change, and Graph's delta would not list it). */
async function changeUsers(control: EmulatorControl, tenantId: string, ids: string[], round: string): Promise<void> {
  const waiting = ids.map((id, i) => ({ id, i }));
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let next = waiting.shift(); next; next = waiting.shift()) {
        const { id, i } = next;
        await again(() => control.updateUser(tenantId, id, { department: `Bench ${round}-${i}` }));
      }
    }),
  );
}

type Measured = WorkerResult & { requests: number; resourceUnits: number; throttled: number };

/** A store holding one organization connected to the tenant (and its scope, when given); answers the organization's id. */
async function connectedOrganization(target: { dataDir: string; databaseUrl?: string; schema?: string }, tenantId: string, scope?: SyncScope): Promise<string> {
  const store = await openStore({ dataDir: target.dataDir, ...(target.databaseUrl ? { databaseUrl: target.databaseUrl, schema: target.schema } : {}) });
  try {
    const org = await store.organizations.create('Bench');
    await store.connections.save(org.id, tenantId, 'granted');
    if (scope) await store.configurations.save(org.id, { scope });
    return org.id;
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  // Loopback http notifications: the notifications scenario's api listens on 127.0.0.1 without TLS.
  const emulator = await startEmulatorProcess(root, ['--allow-http-loopback-notifications']);
  const control = new EmulatorControl(emulator.url);
  const load = { before: os.loadavg().map((n) => +n.toFixed(2)) };
  const rows: Row[] = [];
  const startedAt = new Date().toISOString();
  try {
    for (const users of userCounts) {
      for (const latency of latencies) {
        await again(() => control.setLatency({ enabled: latency === 'on' }));
        const tenant = await again(() => control.createTenant({ users, groups: 0, seed: 7, nonUserObjects: false }));
        const tenantId = tenant.tenantId;
        const { accessToken } = await again(() => control.token(tenantId, { app: emulator.app.clientId }));
        const base = { emulatorUrl: emulator.url, tenantId, clientId: emulator.app.clientId, clientSecret: emulator.app.clientSecret };
        const dirs: string[] = [];
        const tempDir = () => {
          const dir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-bench-'));
          dirs.push(dir);
          return dir;
        };
        const add = (scenario: string, r: Measured, floor: number, read: number, store: Row['store'], baselines: { naiveMs: number | null; bareMs: number | null }) => {
          rows.push({
            scenario,
            users,
            latency,
            store,
            wallMs: r.wallMs,
            cpuMs: r.cpuMs,
            usersPerSecond: Math.round((read / Math.max(1, r.wallMs)) * 1000),
            requests: r.requests,
            resourceUnits: r.resourceUnits,
            throttled: r.throttled,
            peakRssMb: r.maxRssMb,
            memory: r.memory,
            floorRequests: floor,
            status: r.status + (r.error ? `: ${r.error}` : ''),
            counts: r.counts,
            vsNaive: baselines.naiveMs === null ? null : ratio(r.wallMs, baselines.naiveMs),
            vsBareRead: baselines.bareMs === null ? null : ratio(r.wallMs, baselines.bareMs),
            requestsVsFloor: ratio(r.requests, floor),
          });
          process.stderr.write(`  ${scenario}: ${r.status} in ${r.wallMs} ms, ${r.requests} requests\n`);
        };

        if (scenarios.has('full') || scenarios.has('resync') || scenarios.has('incremental')) {
          const listingFloor = 1 + Math.ceil(users / 100);
          process.stderr.write(`${users.toLocaleString('en')} users, latency ${latency}: naive sync…\n`);
          const naive = await counted(control, tenantId, () => worker({ ...base, kind: 'naive', dataDir: tempDir(), token: accessToken }));
          process.stderr.write(`  bare concurrent read…\n`);
          const bare = await counted(control, tenantId, () => bareRead(emulator, tenantId, users));
          const baselines = { naiveMs: naive.wallMs, bareMs: bare.wallMs };
          add('naive sync (baseline a)', naive, listingFloor, users, 'sqlite', baselines);
          rows.push({ ...rows[rows.length - 1]!, scenario: 'bare concurrent read (baseline b)', wallMs: bare.wallMs, cpuMs: null, usersPerSecond: Math.round((users / Math.max(1, bare.wallMs)) * 1000), requests: bare.requests, resourceUnits: bare.resourceUnits, throttled: bare.throttled, peakRssMb: null, status: 'succeeded', counts: undefined, vsNaive: ratio(bare.wallMs, naive.wallMs), vsBareRead: 1, requestsVsFloor: ratio(bare.requests, listingFloor) });

          const stores: Array<{ kind: Row['store']; databaseUrl?: string; schema?: string }> = [{ kind: 'sqlite' }];
          if (postgresUrl) stores.push({ kind: 'postgres', databaseUrl: postgresUrl, schema: `bench_${process.pid}_${users}_${latency}` });
          for (const target of stores) {
            const dataDir = tempDir();
            const organizationId = await connectedOrganization({ ...target, dataDir }, tenantId);
            const job: WorkerJob = { ...base, kind: 'sync', dataDir, organizationId, ...(target.databaseUrl ? { databaseUrl: target.databaseUrl, schema: target.schema } : {}) };
            const label = target.kind === 'postgres' ? ' (PostgreSQL)' : '';
            process.stderr.write(`  full sync${label}…\n`);
            add(`full sync${label}`, await counted(control, tenantId, () => worker({ ...job, full: true })), listingFloor, users, target.kind, baselines);
            if (scenarios.has('resync')) add(`re-sync, nothing changed${label}`, await counted(control, tenantId, () => worker({ ...job, full: true })), listingFloor, users, target.kind, baselines);
            if (scenarios.has('incremental')) {
              const ids: string[] = [];
              const wanted = Math.min(users, Math.max(...changeCounts));
              for (let offset = 0; ids.length < wanted && offset < users; offset += 10_000) ids.push(...(await again(() => control.users(tenantId, { limit: 10_000, offset }))).value.filter((u) => u.accountEnabled).map((u) => u.id));
              for (const [round, k] of changeCounts.entries()) {
                if (k > users / 2) continue;
                await changeUsers(control, tenantId, ids.slice(0, k), `${target.kind}-${round}`);
                const measured = await counted(control, tenantId, () => worker(job));
                // A row that did not apply the changes made is no measurement of them: it says so.
                if (measured.status === 'succeeded' && (measured.counts?.updated ?? 0) < k * 0.9) measured.status = `not a measurement: ${measured.counts?.updated ?? 0} of ${k} changes came through`;
                add(`incremental, ${k.toLocaleString('en')} changes${label}`, measured, Math.max(1, Math.ceil(k / 200)), k, target.kind, { naiveMs: naive.wallMs, bareMs: null });
              }
            }
            if (target.databaseUrl && target.schema) await dropPostgresSchema(target.databaseUrl, target.schema);
          }
        }

        if (scenarios.has('groups')) {
          // Half the tenant under 3 security groups, each the top of a chain of 3 nested groups.
          process.stderr.write(`${users.toLocaleString('en')} users, latency ${latency}: group scope of nested groups…\n`);
          const scope = await createNestedGroupScope(control, tenantId, { members: Math.floor(users / 2), roots: 3, depth: 3 });
          const floor = groupScopeFloor(scope);
          const naive = await counted(control, tenantId, () => worker({ ...base, kind: 'naive', dataDir: tempDir(), token: accessToken, groupIds: scope.rootIds }));
          add(`naive group scope (baseline a), ${scope.groupCount} groups`, naive, floor, scope.members, 'sqlite', { naiveMs: naive.wallMs, bareMs: null });
          const dataDir = tempDir();
          const organizationId = await connectedOrganization({ dataDir }, tenantId, { kind: 'groups', groupIds: scope.rootIds });
          const sync = await counted(control, tenantId, () => worker({ ...base, kind: 'sync', dataDir, organizationId, full: true }));
          add(`group scope, ${scope.members.toLocaleString('en')} nested members, ${scope.groupCount} groups`, sync, floor, scope.members, 'sqlite', { naiveMs: naive.wallMs, bareMs: null });
        }

        if (scenarios.has('notifications')) {
          process.stderr.write(`${users.toLocaleString('en')} users, latency ${latency}: change → directory latency (full sync first)…\n`);
          const dataDir = tempDir();
          const organizationId = await connectedOrganization({ dataDir }, tenantId);
          const first = worker({ ...base, kind: 'sync', dataDir, organizationId, full: true });
          if (first.status !== 'succeeded') throw new Error(`the full sync before the notifications scenario ${first.status}: ${first.error ?? ''}`);
          const userIds: string[] = [];
          // Changed users from the end of the listing, away from those the other scenarios changed.
          const listed = await again(() => control.users(tenantId, { limit: 1_000, offset: Math.max(0, users - 1_000) }));
          userIds.push(...listed.value.filter((u) => u.accountEnabled).map((u) => u.id));
          const singles = 20;
          const bursts = 6;
          const burstSize = 5;
          const measured = await measureChangeLatency({ control, emulatorUrl: emulator.url, app: emulator.app, tenantId, dataDir, organizationId, userIds, singles, bursts, burstSize, spacingMs: [3_000, 7_000], giveUpAfterMs: 120_000 });
          const c = await again(() => control.counters(tenantId));
          const changes = measured.latenciesMs.length + measured.lost;
          rows.push({
            scenario: `change → directory (notifications), ${changes} changes: ${singles} single, ${bursts} bursts of ${burstSize}`,
            users,
            latency,
            store: 'sqlite',
            wallMs: measured.wallMs,
            cpuMs: null,
            usersPerSecond: 0,
            requests: c.requests,
            resourceUnits: c.resourceUnits,
            throttled: c.throttled,
            peakRssMb: measured.peakRssMb,
            floorRequests: measured.events,
            status: `${measured.lost === 0 ? 'succeeded' : `${measured.lost} changes never showed`}; ${measured.webhookRuns} webhook syncs (median ${measured.runMedianMs} ms queued → finished); max ${measured.maxMs} ms`,
            vsNaive: null,
            vsBareRead: null,
            requestsVsFloor: ratio(c.requests, measured.events),
            p50Ms: measured.p50Ms,
            p95Ms: measured.p95Ms,
          });
          process.stderr.write(`  change → directory: p50 ${measured.p50Ms} ms, p95 ${measured.p95Ms} ms, max ${measured.maxMs} ms, ${c.requests} requests, ${measured.webhookRuns} syncs\n`);
        }
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
        await again(() => control.deleteTenant(tenantId));
      }
    }
  } finally {
    emulator.stop();
  }
  const results = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` },
    load: { ...load, after: os.loadavg().map((n) => +n.toFixed(2)) },
    at: startedAt,
    command: `npm run bench -- ${process.argv.slice(2).filter((a) => !a.endsWith('.ts')).join(' ')}`.trim(),
    costModel: 'emulator default: latency 60 ms + 0.8 ms per object (±20%), at most 100 objects a page with $expand, resource-unit throttling on',
    rows,
  };
  const table = markdownTable(rows);
  if (flag('json')) console.log(JSON.stringify(results));
  else console.log(table);
  const folder = flag('publish') ? path.join(root, 'bench', 'results') : path.join(root, 'bench', 'results', 'tmp');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'sync.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(flag('publish') ? path.join(root, 'bench') : folder, 'RESULTS.md'), resultsPage(results, table));
}

function markdownTable(rows: Row[]): string {
  const header = '| scenario | users | latency | wall s | CPU s | users/s | requests | floor | ×floor | RU | 429s | peak RSS MB | × naive | × bare read | change → directory p50 / p95 s | status |';
  const rule = '|' + ' --- |'.repeat(16);
  const lines = rows.map((r) =>
    [
      r.scenario,
      r.users.toLocaleString('en'),
      r.latency,
      (r.wallMs / 1000).toFixed(1),
      r.cpuMs === null ? '–' : (r.cpuMs / 1000).toFixed(1),
      r.usersPerSecond.toLocaleString('en'),
      r.requests.toLocaleString('en'),
      r.floorRequests.toLocaleString('en'),
      r.requestsVsFloor,
      r.resourceUnits.toLocaleString('en'),
      r.throttled,
      r.peakRssMb ?? '–',
      r.vsNaive ?? '–',
      r.vsBareRead ?? '–',
      r.p50Ms === undefined || r.p95Ms === undefined ? '–' : `${(r.p50Ms / 1000).toFixed(1)} / ${(r.p95Ms / 1000).toFixed(1)}`,
      r.status,
    ].join(' | '),
  );
  return [header, rule, ...lines.map((l) => `| ${l} |`)].join('\n');
}

function resultsPage(results: { machine: Record<string, unknown>; load: Record<string, unknown>; at: string; command: string; costModel: string }, table: string): string {
  return `# Sync benchmark results

Regenerate with one command: \`npm run bench -- --publish\` (add the options of the command below to measure the same set).

- **Date:** ${results.at}
- **Command:** \`${results.command}\`
- **Machine:** ${JSON.stringify(results.machine)}
- **Load average (1, 5, 15 min) before and after:** ${JSON.stringify(results.load)} — the machine is shared with other work, so compare the ratios, measured side by side in the same run on the same tenant, rather than absolute times.
- **Cost model:** ${results.costModel}

Baselines: *naive sync* = Microsoft's Graph client (\`PageIterator\`, default page size, manager expanded), every user listed every run, all rows upserted in one SQLite transaction (what many tools do); *bare concurrent read* = the sync's partitioned queries read side by side and the rows dropped (the ceiling for reading); *floor* = fewest requests the scope needs (a delta link plus one page per 100 users with \`$expand\`; a delta page per 200 changes; for a group scope, see the bench's header). *Group scope*: 3 security groups each topping a chain of 3 nested groups, half the tenant under them; its naive baseline reads each group's members with \`PageIterator\`, follows nested groups on the client and takes managers from the naive \`/users?$expand=manager\` listing. *Change → directory*: the api (composition root, production defaults) subscribed to user changes; 50 changes made in the emulator, each timed until the employee row shows it (floor: one delta round per change event). Peak RSS is the maximum resident set of the process that ran the sync (each run in its own process, on the built api as in production; for change → directory, the bench process hosting the api); CPU s is that process's CPU time (user + system) during the run: on this shared 2-core machine it shows the work done when wall time is blurred by the load.

${table}
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
