import { parseArgs } from 'node:util';
import { z } from 'zod';
import { buildApiServices } from '../composition';
import { loadApiConfig } from '../config';
import { describeScope, type SyncScope, syncScopeSchema } from '../domain';
import { hasAppCredentials, microsoftAppNotConfigured } from '../graph';
import { createLogger } from '../service/logger';
import { readEnvironment } from '../service/environment';

/** A mistake in how the command was called, told in one line. */
class UsageError extends Error {
  readonly code = 'CLI_USAGE';
}

const usage = `usage:
  users-sync org add --name NAME --tenant TENANT_ID
  users-sync scope set --org ID (--all | --group-name NAME | --groups ID,ID…)
  users-sync sync --org ID [--dry-run] [--full] [--json]
  users-sync runs --org ID [--json]
  users-sync cancel --org ID --run RUN_ID
  users-sync approve --org ID --run RUN_ID
  users-sync reject --org ID --run RUN_ID
  users-sync employees --org ID [--json]`;

const options = {
  name: { type: 'string' },
  tenant: { type: 'string' },
  org: { type: 'string' },
  run: { type: 'string' },
  all: { type: 'boolean' },
  'group-name': { type: 'string' },
  groups: { type: 'string' },
  'dry-run': { type: 'boolean' },
  full: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

const text = (flag: string) => z.string({ error: `--${flag} is required` }).trim().min(1, `--${flag} must not be empty`);

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(result.error.issues.map((i) => i.message).join('; '));
  return result.data;
}

export interface CommandLineIo {
  out: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C or SIGTERM: a sync in progress ends cancelled rather than left running. */
  signal?: AbortSignal;
}

/** Runs one command; returns the exit code. Errors become a one-line reason on stderr and a non-zero code. */
export async function runCommandLine(argv: string[], io: CommandLineIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)} (users-sync --help lists the commands)`);
  }
  const { values, positionals } = parsed;
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    io.out.write(`${usage}\n`);
    return 0;
  }
  const known = ['org add', 'scope set', 'sync', 'runs', 'cancel', 'approve', 'reject', 'employees'];
  if (!known.includes(command)) throw new UsageError(`unknown command "${command}"; the commands are: ${known.join(', ')}`);

  let config;
  try {
    config = loadApiConfig(readEnvironment(io.env));
  } catch (error) {
    throw new Error(error instanceof Error ? error.message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ') : String(error));
  }
  // The api's own services (same store, same run lifecycle), without its background jobs.
  const runtime = await buildApiServices(config, createLogger({ service: 'cli', level: 'silent', pretty: false }), { changeNotifications: false });
  const { store, sync } = runtime.services;
  const print = (line: string) => io.out.write(`${line}\n`);
  const json = (value: unknown) => print(JSON.stringify(value));
  try {
    const organization = async () => {
      const id = parse(text('org'), values.org);
      const org = await store.organizations.get(id);
      if (!org) throw new Error(`no organization with id ${id} (users-sync org add creates one)`);
      return org;
    };
    switch (command) {
      case 'org add': {
        const name = parse(text('name'), values.name);
        const tenant = parse(text('tenant'), values.tenant);
        const existing = await store.members.organizationOfTenant(tenant.toLowerCase());
        if (existing) throw new UsageError(`tenant ${tenant} already belongs to organization ${existing.id} (${existing.name})`);
        const org = await store.organizations.create(name, tenant);
        // The operator vouches for the tenant; Entra itself still refuses tokens if no admin consented.
        await store.connections.save(org.id, tenant, 'granted');
        print(org.id);
        return 0;
      }
      case 'scope set': {
        const org = await organization();
        const chosen = [values.all ? 'all' : null, values['group-name'] !== undefined ? 'group-name' : null, values.groups !== undefined ? 'groups' : null].filter(Boolean);
        if (chosen.length !== 1) throw new UsageError('give exactly one of --all, --group-name NAME, --groups ID,ID…');
        const scope: SyncScope = parse(
          syncScopeSchema,
          values.all
            ? { kind: 'all' }
            : values['group-name'] !== undefined
              ? { kind: 'group_name', groupName: values['group-name'] }
              : { kind: 'groups', groupIds: (values.groups ?? '').split(',').map((s) => s.trim()).filter(Boolean) },
        );
        await store.configurations.save(org.id, { scope });
        print(`scope of ${org.name}: ${describeScope(scope)}`);
        return 0;
      }
      case 'sync': {
        const org = await organization();
        // Refused before any run exists: a run left behind would block every sync for a while.
        if (!hasAppCredentials(config.microsoft)) throw microsoftAppNotConfigured();
        const run = await sync.runSync(org.id, { trigger: 'cli', dryRun: values['dry-run'] ?? false, full: values.full ?? false, signal: io.signal });
        // The database went away mid-run: give it a moment to come back, so the run is recorded as
        // interrupted now rather than blocking the next sync until the silence rule closes it.
        if (run.error?.code === 'SYNC_INTERRUPTED') await sync.recordInterruptedRuns(20_000);
        const ok = run.status === 'succeeded' || run.status === 'awaiting_approval';
        if (values.json) {
          json({ runId: run.id, status: run.status, mode: run.mode, dryRun: run.dryRun, counts: run.counts, graphRequests: run.graphRequests, durationMs: run.durationMs, ...(run.error ? { error: run.error } : {}) });
        } else {
          const c = run.counts;
          print(`${run.dryRun ? 'dry run ' : ''}${run.mode} sync ${run.status}: ${c.created} created, ${c.updated} updated, ${c.deactivated} deactivated, ${c.reactivated} reactivated, ${c.unchanged} unchanged, ${c.skipped} skipped (${run.graphRequests} Graph requests, ${run.durationMs ?? 0} ms)`);
          if (run.status === 'awaiting_approval') print(`${run.error?.message ?? ''} Approve with: users-sync approve --org ${org.id} --run ${run.id}`);
        }
        if (!ok) process.stderr.write(`users-sync: ${run.error?.message.replace(/\s+/g, ' ') ?? run.status}\n`);
        return ok ? 0 : 1;
      }
      case 'runs': {
        const org = await organization();
        const runs = await store.runs.list(org.id);
        if (values.json) json(runs.map(({ plan: _plan, report: _report, ...run }) => run));
        else for (const r of runs) print(`${r.id}  ${r.queuedAt}  ${r.mode}${r.dryRun ? ' (dry run)' : ''}  ${r.status}${r.error ? `  ${r.error.code}` : ''}`);
        return 0;
      }
      case 'cancel': {
        const org = await organization();
        // Whichever process runs it (the api, another command line) stops at its next look.
        const run = await sync.cancel(org.id, parse(text('run'), values.run));
        print(`run ${run.id} ${run.status === 'running' ? 'asked to stop' : run.status}`);
        return 0;
      }
      case 'approve':
      case 'reject': {
        const org = await organization();
        const runId = parse(text('run'), values.run);
        const run = command === 'approve' ? await sync.approve(org.id, runId) : await sync.reject(org.id, runId);
        print(`run ${run.id} ${run.status}`);
        return 0;
      }
      case 'employees': {
        const org = await organization();
        const employees = await store.employees.list(org.id);
        if (values.json) json(employees);
        else for (const e of employees) print(`${e.status === 'active' ? ' ' : '-'} ${e.email}\t${e.displayName ?? ''}\t${e.department ?? ''}\t${e.source}`);
        return 0;
      }
    }
    return 1;
  } finally {
    await runtime.stop().catch(() => undefined);
  }
}
