import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createGraphReader } from '@users-sync/api/graph/index';
import { openStore, type Store } from '@users-sync/api/store/index';
import { SyncService } from '@users-sync/api/sync/index';
import { startEmulator, type RunningEmulator } from '@users-sync/emulator/index';
import { testCertificateDir } from '../../support/dev-certificate-path';

/**
 * Microsoft documents delta as eventually consistent: objects already sent come again,
 * some come twice, in no order, pages can be empty and still lead on, and a change can take
 * a moment to show (delta-query-overview, "Replays"; paging). With all of that switched on
 * in the emulator, any sequence of changes and incremental syncs must end in the same
 * directory as one fresh full sync.
 */
const replicationDelayMs = 40;

type Change =
  | { kind: 'hire'; name: string; inGroup: boolean }
  | { kind: 'rename' | 'disable' | 'enable' | 'delete' | 'restore' | 'leave' | 'join'; who: number }
  | { kind: 'manager'; who: number; manager: number | 'none' | 'contact' }
  | { kind: 'sync' };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('hire' as const), name: fc.stringMatching(/^[a-z]{3,6}$/), inGroup: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('rename' as const, 'disable' as const, 'enable' as const, 'delete' as const, 'restore' as const, 'leave' as const, 'join' as const), who: fc.nat(20) }),
  fc.record({ kind: fc.constant('manager' as const), who: fc.nat(20), manager: fc.oneof(fc.nat(20), fc.constantFrom('none' as const, 'contact' as const)) }),
  fc.constant({ kind: 'sync' as const }),
);

let emulator: RunningEmulator;
let store: Store;
let dataDir: string;
let service: SyncService;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'users-sync-consistency-'));
  store = await openStore({ dataDir });
  service = new SyncService({
    store,
    graphReaderFor: (tenant) => createGraphReader({ tenantId: tenant, ...emulator.app, authorityHost: emulator.url, graphBaseUrl: emulator.url, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 12 } }),
  });
});
afterAll(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  await emulator.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the directory says about each Entra user, in the terms an admin reads. */
async function directoryOf(orgId: string): Promise<Record<string, unknown>> {
  const employees = await store.employees.list(orgId);
  return Object.fromEntries(employees.map((e) => [e.entraObjectId, { status: e.status, email: e.email, displayName: e.displayName, managerId: e.managerId }]));
}

describe('incremental sync under Graph’s documented eventual consistency', () => {
  it.each(['all', 'arsen'] as const)('ends any sequence of changes in the directory a fresh full sync gives (%s scope)', async (scopeKind) => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 14 }), async (changes) => {
        const control = emulator.control;
        const { tenantId } = await control.createTenant({ users: 0, groups: 0 });
        try {
          const contact = await control.createDirectoryObject(tenantId, { kind: 'orgContact', displayName: 'Agency Contact', mail: 'contact@agency.example' });
          const people: Array<{ id: string; deleted: boolean }> = [];
          const hire = async (name: string) => {
            const n = people.length;
            const user = await control.createUser(tenantId, { displayName: `${name} ${n}`, userPrincipalName: `${name}${n}@contoso.com`, mail: `${name}${n}@contoso.com` });
            people.push({ id: user.id, deleted: false });
            return user.id;
          };
          for (const name of ['ada', 'bob', 'cy', 'dee']) await hire(name);
          const inner = await control.createGroup(tenantId, { displayName: 'inner', memberIds: [people[2]!.id] });
          const arsen = await control.createGroup(tenantId, { displayName: 'arsen', memberIds: [people[0]!.id, people[1]!.id, inner.id] });
          const groupOf = (i: number) => (i % 2 === 0 ? arsen.id : inner.id);
          const scope = scopeKind === 'all' ? { kind: 'all' as const } : { kind: 'group_name' as const, groupName: 'arsen' };
          const noGuard = { enabled: false, maxShare: 0.2, minCount: 10 };

          const followed = (await store.organizations.create('Followed')).id;
          await store.connections.save(followed, tenantId, 'granted');
          await store.configurations.save(followed, { scope, deletionGuard: noGuard });
          expect((await service.runSync(followed)).status).toBe('succeeded');
          await control.setConsistency(tenantId, { replays: true, duplicates: true, shuffle: true, emptyPages: true, replicationDelayMs });

          for (const [index, step] of changes.entries()) {
            const person = 'who' in step ? people[step.who % people.length]! : undefined;
            // Changes Entra refuses (deleting the deleted, re-adding a member) are simply skipped.
            const attempt = async (action: () => Promise<unknown>) => action().catch(() => undefined);
            switch (step.kind) {
              case 'hire': {
                const id = await hire(step.name);
                if (step.inGroup) await attempt(() => control.addMembers(tenantId, inner.id, [id]));
                break;
              }
              case 'rename':
                await attempt(() => control.updateUser(tenantId, person!.id, { displayName: `Renamed at step ${index}` }));
                break;
              case 'disable':
              case 'enable':
                await attempt(() => control.updateUser(tenantId, person!.id, { accountEnabled: step.kind === 'enable' }));
                break;
              case 'delete':
                if (!person!.deleted) await attempt(async () => (await control.deleteUser(tenantId, person!.id), (person!.deleted = true)));
                break;
              case 'restore':
                if (person!.deleted) await attempt(async () => (await control.restoreUser(tenantId, person!.id), (person!.deleted = false)));
                break;
              case 'join':
                await attempt(() => control.addMembers(tenantId, groupOf(step.who), [person!.id]));
                break;
              case 'leave':
                await attempt(() => control.removeMember(tenantId, groupOf(step.who), person!.id));
                break;
              case 'manager': {
                const manager = step.manager === 'none' ? null : step.manager === 'contact' ? contact.id : people[step.manager % people.length]!.id;
                if (manager !== person!.id) await attempt(() => control.updateUser(tenantId, person!.id, { managerId: manager }));
                break;
              }
              case 'sync':
                expect((await service.runSync(followed)).status).toBe('succeeded');
                break;
            }
          }
          // Let replication catch up, then one more incremental round.
          await sleep(replicationDelayMs * 2);
          const last = await service.runSync(followed);
          expect(last.status).toBe('succeeded');

          await control.setConsistency(tenantId, {});
          const fresh = (await store.organizations.create('Fresh')).id;
          await store.connections.save(fresh, tenantId, 'granted');
          await store.configurations.save(fresh, { scope, deletionGuard: noGuard });
          expect(await service.runSync(fresh)).toMatchObject({ status: 'succeeded', mode: 'full' });
          const active = (directory: Record<string, unknown>) => Object.fromEntries(Object.entries(directory).filter(([, e]) => (e as { status: string }).status === 'active'));
          expect(active(await directoryOf(followed))).toEqual(active(await directoryOf(fresh)));
        } finally {
          await control.deleteTenant(tenantId).catch(() => undefined);
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
