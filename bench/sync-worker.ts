/**
 * One measured run in its own process, so its peak RSS is its own: `sync` runs the engine
 * (SyncService over SQLite or PostgreSQL), `naive` a sync as many tools write it (Microsoft's
 * Graph client, default page size, every user listed every run, one SQLite transaction; for
 * a group scope, one members call per group with nested groups flattened on the client).
 * Reads a JSON job from argv, prints one JSON line.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { createGraphReader } from '../api/src/graph';
import { openStore } from '../api/src/store';
import { SyncService } from '../api/src/sync';
import { directoryUserFields } from '../api/src/domain';

export interface WorkerJob {
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

export interface WorkerResult {
  wallMs: number;
  maxRssMb: number;
  status: string;
  mode?: string;
  counts?: Record<string, number>;
  users?: number;
  error?: string;
}

async function runSync(job: WorkerJob): Promise<WorkerResult> {
  const store = await openStore({ dataDir: job.dataDir, ...(job.databaseUrl ? { databaseUrl: job.databaseUrl, schema: job.schema } : {}) });
  try {
    const service = new SyncService({
      store,
      graphReaderFor: (tenantId, settings) => createGraphReader({ tenantId, clientId: job.clientId, clientSecret: job.clientSecret, authorityHost: job.emulatorUrl, graphBaseUrl: job.emulatorUrl, ...settings }),
    });
    const started = performance.now();
    const run = await service.runSync(job.organizationId!, { full: job.full ?? false });
    const wallMs = Math.round(performance.now() - started);
    return { wallMs, maxRssMb: 0, status: run.status, mode: run.mode, counts: { ...run.counts }, users: run.usersRead, ...(run.error ? { error: run.error.message } : {}) };
  } finally {
    await store.close();
  }
}

type NaiveUser = Record<string, unknown> & { id: string; manager?: { id: string } | null };

/**
 * What a typical tool does: the SDK's page iterator over /users with the manager expanded
 * (every user, every run); for a group scope, also each group's direct members through the
 * page iterator (default page size), nested groups followed on the client, and only the users
 * found under the scope kept. Then every row upserted in one transaction.
 */
async function runNaive(job: WorkerJob): Promise<WorkerResult> {
  const started = performance.now();
  const client = Client.init({
    authProvider: (done) => done(null, job.token!),
    baseUrl: job.emulatorUrl,
    customHosts: new Set([new URL(job.emulatorUrl).hostname]),
  });
  const iterate = async (url: string, each: (item: NaiveUser) => void) => {
    const first = (await client.api(url).get()) as PageCollection;
    await new PageIterator(client, first, (item: NaiveUser) => {
      each(item);
      return true;
    }).iterate();
  };
  let users: NaiveUser[] = [];
  await iterate(`/users?$select=${directoryUserFields.join(',')}&$expand=manager($select=id)`, (user) => users.push(user));
  if (job.groupIds) {
    const members = new Set<string>();
    const seen = new Set<string>(job.groupIds);
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
  writeNaive(job.dataDir, users);
  return { wallMs: Math.round(performance.now() - started), maxRssMb: 0, status: 'succeeded', users: users.length };
}

function writeNaive(dataDir: string, users: readonly NaiveUser[]): void {
  mkdirSync(dataDir, { recursive: true });
  const db = new SqliteDatabase(path.join(dataDir, 'naive.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(
    'create table if not exists employees (entra_object_id text primary key, email text, given_name text, surname text, display_name text, department text, job_title text, office_location text, city text, country text, preferred_language text, employee_id text, company_name text, manager_entra_id text, active integer)',
  );
  const upsert = db.prepare(
    'insert into employees values (@id, @email, @givenName, @surname, @displayName, @department, @jobTitle, @officeLocation, @city, @country, @preferredLanguage, @employeeId, @companyName, @managerId, @active) on conflict(entra_object_id) do update set email = excluded.email, given_name = excluded.given_name, surname = excluded.surname, display_name = excluded.display_name, department = excluded.department, job_title = excluded.job_title, office_location = excluded.office_location, city = excluded.city, country = excluded.country, preferred_language = excluded.preferred_language, employee_id = excluded.employee_id, company_name = excluded.company_name, manager_entra_id = excluded.manager_entra_id, active = excluded.active',
  );
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
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
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[process.argv.length - 1]!) as WorkerJob;
  let result: WorkerResult;
  try {
    result = job.kind === 'naive' ? await runNaive(job) : await runSync(job);
  } catch (error) {
    result = { wallMs: 0, maxRssMb: 0, status: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
  // maxRSS is in kilobytes: the process's peak, whatever ran before the measurement started (its modules) included.
  result.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
