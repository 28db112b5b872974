import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApiServices, type ApiRuntime } from '@users-sync/api/composition';
import { loadApiConfig } from '@users-sync/api/config';
import { forgetTenantTokens } from '@users-sync/api/graph/index';
import { createLogger } from '@users-sync/api/service/index';
import { dropPostgresSchema, openStore, type Employee, type Store, type SyncConfigurationChange, type SyncRun } from '@users-sync/api/store/index';
import type { RunSyncOptions } from '@users-sync/api/sync/index';
import type { RunningEmulator, TenantSummary } from '@users-sync/emulator/index';
import { testDatabaseUrl } from '../../../api/store/store-backends';
import { directoryOf } from './directory-comparison';

export type StoreKind = 'sqlite' | 'postgres';

/** The sync scope the scenarios use: everyone, or the group named arsen (nested groups included). */
export type ScopeKind = 'all' | 'arsen';

const silent = createLogger({ service: 'api', level: 'silent', pretty: false });

/** The deletion guard off: scenarios that are not about it compare whole directories. */
export const guardOff = { enabled: false, maxShare: 0.2, minCount: 10 };

export function scopeOf(kind: ScopeKind): NonNullable<SyncConfigurationChange['scope']> {
  return kind === 'all' ? { kind: 'all' } : { kind: 'group_name', groupName: 'arsen' };
}

/**
 * The api's services as its composition root builds them (store, real Graph reader with
 * its retries, sync service), in this process, for one organization connected to an
 * emulated tenant. What the api and the command line run, without the HTTP layer.
 */
export class SyncHost {
  private constructor(
    readonly runtime: ApiRuntime,
    readonly organizationId: string,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async open(
    emulator: RunningEmulator,
    tenant: TenantSummary,
    options: { store?: StoreKind; scope?: ScopeKind; configuration?: Omit<SyncConfigurationChange, 'scope'>; databaseUrl?: string; name?: string } = {},
  ): Promise<SyncHost> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-reliability-'));
    const config = loadApiConfig({
      DATA_DIR: dataDir,
      MICROSOFT_CLIENT_ID: tenant.app.clientId,
      MICROSOFT_CLIENT_SECRET: tenant.app.clientSecret,
      MICROSOFT_AUTHORITY_HOST: emulator.url,
      GRAPH_BASE_URL: emulator.url,
    });
    let store: Store | undefined;
    let schema: string | undefined;
    if (options.store === 'postgres') {
      schema = `reliability_${process.pid}_${randomBytes(4).toString('hex')}`;
      store = await openStore({ dataDir, databaseUrl: options.databaseUrl ?? testDatabaseUrl, schema });
    }
    const runtime = await buildApiServices(config, silent, { changeNotifications: false, ...(store ? { store } : {}) });
    const services = runtime.services;
    const organization = await services.store.organizations.create(options.name ?? tenant.displayName, tenant.tenantId);
    await services.store.connections.save(organization.id, tenant.tenantId, 'granted');
    await services.store.configurations.save(organization.id, { deletionGuard: guardOff, ...options.configuration, scope: scopeOf(options.scope ?? 'all') });
    return new SyncHost(runtime, organization.id, async () => {
      await runtime.stop();
      if (schema) await dropPostgresSchema(options.databaseUrl ?? testDatabaseUrl, schema);
      rmSync(dataDir, { recursive: true, force: true });
    });
  }

  get store(): Store {
    return this.runtime.services.store;
  }

  sync(options: RunSyncOptions = {}): Promise<SyncRun> {
    return this.runtime.services.sync.runSync(this.organizationId, options);
  }

  directory(): Promise<Employee[]> {
    return directoryOf(this.store, this.organizationId);
  }

  close(): Promise<void> {
    return this.cleanup();
  }
}

/**
 * The fault-free run the comparisons measure against: a fresh directory, one full sync of
 * the tenant as it is now, with no fault injected (the caller clears them first).
 */
export async function faultFreeDirectory(emulator: RunningEmulator, tenant: TenantSummary, scope: ScopeKind, configuration: Omit<SyncConfigurationChange, 'scope'> = {}): Promise<Employee[]> {
  // Readers of one process share MSAL's token cache: the reference asks Entra for its own token.
  forgetTenantTokens(tenant.tenantId);
  const host = await SyncHost.open(emulator, tenant, { scope, configuration, name: 'Fault-free reference' });
  try {
    const run = await host.sync({ full: true });
    if (run.status !== 'succeeded') throw new Error(`the fault-free reference run ended ${run.status}: ${run.error?.code} ${run.error?.message}`);
    return await host.directory();
  } finally {
    await host.close();
  }
}
