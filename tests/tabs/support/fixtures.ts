import { requestedPermissions, type MicrosoftConnection, type SyncConfiguration } from '@users-sync/api/contract';

export const notConnected: MicrosoftConnection = { status: 'not_connected', tenantId: null, tenantName: null, connectedAt: null, permissions: [...requestedPermissions] };
export const connected: MicrosoftConnection = { status: 'connected', tenantId: 'tenant-1', tenantName: 'Contoso', connectedAt: '2026-12-01T10:00:00.000Z', permissions: [...requestedPermissions] };

export const configuration = (overrides: Partial<SyncConfiguration> = {}): SyncConfiguration => ({
  scope: { kind: 'all' },
  includeGuests: false,
  exclusions: [],
  schedule: { intervalMinutes: 60 },
  deletionGuard: { enabled: true, maxShare: 0.2, minCount: 10 },
  ...overrides,
});

export const employeePage = (total: number) => ({ employees: [], total, nextCursor: null });
