import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type SqliteDatabase as SqliteDialectDatabase } from 'kysely';
import pg from 'pg';
import { deltaStateRepository } from './delta-states';
import { employeeChangeRepository } from './employee-changes';
import { employeeRepository } from './employees';
import type { BulkEngine, PreparedRows } from './bulk-rows';
import { microsoftConnectionRepository } from './microsoft-connections';
import { migrationProvider } from './migrations';
import { organizationRepository } from './organizations';
import type { Database } from './schema';
import { StoreError } from './store-error';
import { syncConfigurationRepository } from './sync-configurations';
import { syncRunRepository } from './sync-runs';
import { activeRunRepository } from './active-runs';
import { consentStateRepository } from './consent-states';
import { employeeSearchRepository } from './employee-search';
import { organizationMemberRepository } from './organization-members';
import { runHistoryRepository } from './run-history';
import { serviceSecretRepository } from './service-secrets';
import { graphSubscriptionRepository } from './graph-subscriptions';
import { onboardingLinkRepository } from './onboarding-links';
import { csvImportRepository } from './csv-imports';
import { botConversationRepository } from './bot-conversations';

export * from './delta-states';
export * from './employee-changes';
export * from './employees';
export type { BulkEngine, PreparedRows } from './bulk-rows';
export * from './microsoft-connections';
export * from './organizations';
export * from './store-error';
export * from './sync-configurations';
export * from './sync-runs';
export * from './organization-members';
export * from './employee-search';
export * from './graph-subscriptions';
export * from './onboarding-links';
export * from './csv-imports';
export * from './bot-conversations';
export { interruptedRunMessage, runSilence } from './active-runs';
export type { Database } from './schema';

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** SQLite file name inside `dataDir`. */
  fileName?: string;
  /** PostgreSQL schema to live in (created when missing); lets test runs and deployments share one database. */
  schema?: string;
  /** Where "now" comes from; tests pass a fixed clock. */
  clock?: () => Date;
  /**
   * PostgreSQL: a pooled connection failed while idle (the server restarted, failed over or
   * ended the session). The pool drops it and opens another on the next query; without a
   * listener, Node would end the process on this event.
   */
  onConnectionError?: (error: Error) => void;
}

export interface Repositories {
  organizations: ReturnType<typeof organizationRepository>;
  connections: ReturnType<typeof microsoftConnectionRepository>;
  configurations: ReturnType<typeof syncConfigurationRepository>;
  employees: ReturnType<typeof employeeRepository>;
  changes: ReturnType<typeof employeeChangeRepository>;
  runs: ReturnType<typeof syncRunRepository>;
  deltaStates: ReturnType<typeof deltaStateRepository>;
  members: ReturnType<typeof organizationMemberRepository>;
  consentStates: ReturnType<typeof consentStateRepository>;
  secrets: ReturnType<typeof serviceSecretRepository>;
  activeRuns: ReturnType<typeof activeRunRepository>;
  runHistory: ReturnType<typeof runHistoryRepository>;
  employeeSearch: ReturnType<typeof employeeSearchRepository>;
  subscriptions: ReturnType<typeof graphSubscriptionRepository>;
  onboardingLinks: ReturnType<typeof onboardingLinkRepository>;
  csvImports: ReturnType<typeof csvImportRepository>;
  botConversations: ReturnType<typeof botConversationRepository>;
}

export interface Store extends Repositories {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<Database>;
  /** Runs `work` in one transaction: all its writes land, or none. */
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
  /** The current time as the store writes it. */
  now(): string;
  /** Whether the database answers now (readiness); never throws. */
  answers(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * `bulk`: how many rows or ids go to the database at once (see BulkEngine); on SQLite inside a
 * transaction, the connection itself, so bulk writes run one prepared statement per row
 * (see upsertEmployeeRows) rather than building multi-row SQL.
 */
function repositories(db: Kysely<Database>, now: () => string, bulk: BulkEngine): Repositories {
  const runs = syncRunRepository(db, now);
  return {
    organizations: organizationRepository(db, now),
    connections: microsoftConnectionRepository(db, now),
    configurations: syncConfigurationRepository(db, now),
    employees: employeeRepository(db, bulk),
    changes: employeeChangeRepository(db, bulk),
    runs,
    deltaStates: deltaStateRepository(db, now),
    members: organizationMemberRepository(db, now),
    consentStates: consentStateRepository(db),
    secrets: serviceSecretRepository(db, now),
    activeRuns: activeRunRepository(db, runs, now),
    runHistory: runHistoryRepository(db, runs),
    employeeSearch: employeeSearchRepository(db),
    subscriptions: graphSubscriptionRepository(db, now),
    onboardingLinks: onboardingLinkRepository(db, now),
    csvImports: csvImportRepository(db, now, bulk),
    botConversations: botConversationRepository(db, now),
  };
}

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/;

/** Opens the directory store and brings its tables to the latest migration. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const clock = options.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  let db: Kysely<Database>;
  let kind: Store['kind'];
  let preparedRows: PreparedRows | undefined;
  if (options.databaseUrl) {
    kind = 'postgres';
    if (options.schema !== undefined && !schemaName.test(options.schema)) {
      throw new StoreError('STORE_SCHEMA_INVALID', `"${options.schema}" is not a usable PostgreSQL schema name (lower-case letters, digits, underscores).`);
    }
    if (options.schema) {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      try {
        await client.connect();
        await client.query(`create schema if not exists "${options.schema}"`);
      } catch (error) {
        throw unreachable(options.databaseUrl, error);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      // Seen in pg_stat_activity: an operator (or a test) can find this store's sessions.
      application_name: options.schema ? `users-sync:${options.schema}` : 'users-sync',
      // A database that does not answer fails the query instead of queueing it for ever.
      connectionTimeoutMillis: 10_000,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const connectionLost = (error: Error) => options.onConnectionError?.(error);
    pool.on('error', connectionLost);
    // A session in use (a transaction, a query) that ends also emits 'error' on its client,
    // where the pool no longer listens: its query fails, and the process must live on.
    pool.on('connect', (client) => client.on('error', connectionLost));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    kind = 'sqlite';
    mkdirSync(options.dataDir, { recursive: true });
    const file = path.join(options.dataDir, options.fileName ?? 'users-sync.sqlite');
    const sqlite = new SqliteDatabase(file);
    // WAL keeps readers in other processes (the CLI, a second instance) off the writer's back; in this
    // process the one connection is shared, and a query waits for an open transaction. NORMAL is durable enough with WAL.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // A sync commits a few thousand employees at a time, each commit touching most index pages
    // of a large directory: checkpointing every 4 MB of WAL (the default) copied them back to the
    // database at nearly every commit. Every 40 MB does it a fifth as often (a 100,000-user sync
    // spent about 0.3 s less committing); the WAL file is cut back to 64 MB after a checkpoint.
    sqlite.pragma('wal_autocheckpoint = 10000');
    sqlite.pragma('journal_size_limit = 67108864');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const statements = preparedOnce(sqlite);
    preparedRows = { prepare: (text) => statements.prepare(text) as SqliteDatabase.Statement };
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  }

  // Features land in any order on existing databases (0005–0007 came after 0008 and 0010); each migration stands alone.
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true, ...(options.schema && kind === 'postgres' ? { migrationTableSchema: options.schema } : {}) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    if (kind === 'postgres' && options.databaseUrl && isConnectionError(error)) throw unreachable(options.databaseUrl, error);
    throw new StoreError('STORE_MIGRATION_FAILED', `The database could not be brought up to date: ${error instanceof Error ? error.message : String(error)}`);
  }

  const inTransaction: BulkEngine = kind === 'postgres' ? { kind: 'postgres' } : { kind: 'sqlite', ...(preparedRows ? { prepared: preparedRows } : {}) };
  return {
    kind,
    db,
    ...repositories(db, now, kind === 'postgres' ? { kind: 'postgres' } : { kind: 'sqlite' }),
    now,
    answers: async (timeoutMs = 2000) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const once = () => sql`select 1 as one`.execute(db).then(() => true, () => false);
      // The pool may hand out a session the database has just ended before it hears so; that
      // session is then discarded, so one more try on a fresh one tells the database's real state.
      const probe = once().then((answered) => answered || once());
      try {
        return await Promise.race([probe, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    // Inside a transaction the one SQLite connection is this work's until it ends: rows may go to it directly.
    transaction: (work) => db.transaction().execute((trx) => work(repositories(trx, now, inTransaction))),
    close: () => db.destroy(),
  };
}

/** Distinct statements kept prepared; a sync uses a few dozen. */
const preparedStatements = 256;

/**
 * better-sqlite3 compiles every statement Kysely hands it; a sync sends the same few
 * statements thousands of times (the 400-row upsert, the page lookup, the change log), so
 * each SQL text is prepared once and kept. Kysely runs one statement at a time on the one
 * connection, so a kept statement is never in use twice.
 */
function preparedOnce(sqlite: SqliteDatabase.Database): SqliteDialectDatabase {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (text) => {
      let statement = kept.get(text);
      if (statement) return statement;
      statement = sqlite.prepare(text);
      if (kept.size >= preparedStatements) kept.delete(kept.keys().next().value!);
      kept.set(text, statement);
      return statement;
    },
  };
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01' || code === '28000';
}

function unreachable(databaseUrl: string, error: unknown): StoreError {
  const where = databaseUrl.replace(/\/\/[^@/]*@/, '//…@');
  return new StoreError('STORE_UNREACHABLE', `PostgreSQL at ${where} did not accept a connection (${error instanceof Error ? error.message : String(error)}). Check DATABASE_URL.`);
}

/** Drops a PostgreSQL schema and everything in it (test runs clean up after themselves). */
export async function dropPostgresSchema(databaseUrl: string, schema: string): Promise<void> {
  if (!schemaName.test(schema)) throw new StoreError('STORE_SCHEMA_INVALID', `"${schema}" is not a usable PostgreSQL schema name.`);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }) });
  try {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  } finally {
    await db.destroy();
  }
}
