/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS on purpose (see below). */
/**
 * One measured run in its own process, so its peak RSS is its own: `sync` runs the engine
 * (SyncService over SQLite or PostgreSQL), `naive` a sync as many tools write it (Microsoft's
 * Graph client, default page size, every user listed every run, one SQLite transaction; for
 * a group scope, one members call per group with nested groups flattened on the client).
 * Reads a JSON job (WorkerJob in sync.bench.ts) from argv, prints one JSON line (WorkerResult).
 *
 * Plain JavaScript over the built api (api/dist), as the api runs in production: transpiling
 * TypeScript on the fly would load swc into the measured process (about 30 MB of its RSS, and
 * CPU), for the engine and the baseline alike.
 */
const { mkdirSync } = require('node:fs');
const path = require('node:path');
const SqliteDatabase = require('better-sqlite3');
const { Client, PageIterator } = require('@microsoft/microsoft-graph-client');
const { createGraphReader } = require('../api/dist/graph');
const { openStore } = require('../api/dist/store');
const { SyncService } = require('../api/dist/sync');
const { directoryUserFields } = require('../api/dist/domain');

const cpuMsSince = (before) => {
  const cpu = process.cpuUsage(before);
  return Math.round((cpu.user + cpu.system) / 1000);
};

async function runSync(job) {
  const store = await openStore({ dataDir: job.dataDir, ...(job.databaseUrl ? { databaseUrl: job.databaseUrl, schema: job.schema } : {}) });
  try {
    const service = new SyncService({
      store,
      graphReaderFor: (tenantId, settings) => createGraphReader({ tenantId, clientId: job.clientId, clientSecret: job.clientSecret, authorityHost: job.emulatorUrl, graphBaseUrl: job.emulatorUrl, ...settings }),
    });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const run = await service.runSync(job.organizationId, { full: job.full ?? false });
    const wallMs = Math.round(performance.now() - started);
    return { wallMs, cpuMs: cpuMsSince(cpuBefore), maxRssMb: 0, status: run.status, mode: run.mode, counts: { ...run.counts }, users: run.usersRead, ...(run.error ? { error: run.error.message } : {}) };
  } finally {
    await store.close();
  }
}

/**
 * What a typical tool does: the SDK's page iterator over /users with the manager expanded
 * (every user, every run); for a group scope (`job.groupIds`), also each group's direct members
 * through the page iterator (default page size), nested groups followed on the client, and only
 * the users found under the scope kept. Then every row upserted in one transaction.
 */
async function runNaive(job) {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const client = Client.init({
    authProvider: (done) => done(null, job.token),
    baseUrl: job.emulatorUrl,
    customHosts: new Set([new URL(job.emulatorUrl).hostname]),
  });
  const iterate = async (url, each) => {
    const first = await client.api(url).get();
    await new PageIterator(client, first, (item) => {
      each(item);
      return true;
    }).iterate();
  };
  let users = [];
  await iterate(`/users?$select=${directoryUserFields.join(',')}&$expand=manager($select=id)`, (user) => users.push(user));
  if (job.groupIds) {
    const members = new Set();
    const seen = new Set(job.groupIds);
    const waiting = [...job.groupIds];
    for (let groupId = waiting.shift(); groupId !== undefined; groupId = waiting.shift()) {
      await iterate(`/groups/${encodeURIComponent(groupId)}/members?$select=id`, (member) => {
        const type = member['@odata.type'];
        if (type === '#microsoft.graph.group' && !seen.has(member.id)) {
          seen.add(member.id);
          waiting.push(member.id);
        } else if (type === '#microsoft.graph.user') members.add(member.id);
      });
    }
    users = users.filter((user) => members.has(user.id));
  }
  mkdirSync(job.dataDir, { recursive: true });
  const db = new SqliteDatabase(path.join(job.dataDir, 'naive.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(
    'create table if not exists employees (entra_object_id text primary key, email text, given_name text, surname text, display_name text, department text, job_title text, office_location text, city text, country text, preferred_language text, employee_id text, company_name text, manager_entra_id text, active integer)',
  );
  const upsert = db.prepare(
    'insert into employees values (@id, @email, @givenName, @surname, @displayName, @department, @jobTitle, @officeLocation, @city, @country, @preferredLanguage, @employeeId, @companyName, @managerId, @active) on conflict(entra_object_id) do update set email = excluded.email, given_name = excluded.given_name, surname = excluded.surname, display_name = excluded.display_name, department = excluded.department, job_title = excluded.job_title, office_location = excluded.office_location, city = excluded.city, country = excluded.country, preferred_language = excluded.preferred_language, employee_id = excluded.employee_id, company_name = excluded.company_name, manager_entra_id = excluded.manager_entra_id, active = excluded.active',
  );
  const text = (v) => (typeof v === 'string' ? v : null);
  db.transaction(() => {
    for (const u of users) {
      upsert.run({
        id: u.id,
        email: text(u.mail) ?? text(u.userPrincipalName),
        givenName: text(u.givenName),
        surname: text(u.surname),
        displayName: text(u.displayName),
        department: text(u.department),
        jobTitle: text(u.jobTitle),
        officeLocation: text(u.officeLocation),
        city: text(u.city),
        country: text(u.country),
        preferredLanguage: text(u.preferredLanguage),
        employeeId: text(u.employeeId),
        companyName: text(u.companyName),
        managerId: u.manager?.id ?? null,
        active: u.accountEnabled === true ? 1 : 0,
      });
    }
  })();
  db.close();
  return { wallMs: Math.round(performance.now() - started), cpuMs: cpuMsSince(cpuBefore), maxRssMb: 0, status: 'succeeded', users: users.length };
}

/** The largest V8 heap (and memory outside it) seen while the run went on: what the RSS peak is made of. */
function watchMemory() {
  const peak = { heapTotalMb: 0, heapUsedMb: 0, externalMb: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.heapTotalMb = Math.max(peak.heapTotalMb, Math.round(m.heapTotal / 1048576));
    peak.heapUsedMb = Math.max(peak.heapUsedMb, Math.round(m.heapUsed / 1048576));
    peak.externalMb = Math.max(peak.externalMb, Math.round(m.external / 1048576));
  };
  let snapshotTaken = !process.env.BENCH_HEAP_SNAPSHOT_MB;
  const timer = setInterval(() => {
    sample();
    // BENCH_HEAP_SNAPSHOT_MB=n: one heap snapshot (in the working directory) the first time the heap holds n MB, to see what fills it.
    if (!snapshotTaken && process.memoryUsage().heapUsed / 1048576 >= Number(process.env.BENCH_HEAP_SNAPSHOT_MB)) {
      snapshotTaken = true;
      process.stderr.write(`heap snapshot: ${require('node:v8').writeHeapSnapshot()}\n`);
    }
  }, 50);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

async function main() {
  const job = JSON.parse(process.argv[process.argv.length - 1]);
  const memory = watchMemory();
  let result;
  try {
    result = job.kind === 'naive' ? await runNaive(job) : await runSync(job);
  } catch (error) {
    result = { wallMs: 0, cpuMs: 0, maxRssMb: 0, status: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
  // maxRSS is in kilobytes: the process's peak, whatever ran before the measurement started (its modules) included.
  result.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  result.memory = memory();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
