import type { EmulatorControl } from '@users-sync/emulator/index';

/** A small seeded generator, so a failing scenario can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type ChurnKind = 'rename' | 'department' | 'disable' | 'enable' | 'delete' | 'restore' | 'hire' | 'manager' | 'join' | 'leave';

/**
 * What happens to a tenant between two syncs: people renamed, moved, disabled, enabled,
 * deleted, restored, hired, given another manager, added to or removed from `arsen`.
 * Changes Entra refuses (restoring someone who is not deleted) are skipped. Nobody who
 * manages someone is deleted: what a manager's deletion does to the reports is an open
 * question of its own (tenant-events.test.ts), not something faults should be blamed for.
 */
export async function churn(control: EmulatorControl, tenantId: string, changes: number, seed: number): Promise<Record<ChurnKind, number>> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kinds: ChurnKind[] = ['rename', 'department', 'disable', 'enable', 'delete', 'restore', 'hire', 'manager', 'join', 'leave'];
  const done = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<ChurnKind, number>;
  const people = (await control.users(tenantId, { limit: 100_000 })).value.filter((u) => !u.userPrincipalName.startsWith('admin@'));
  const deleted: string[] = [];
  const managerOf = new Map(people.map((p) => [p.id, p.managerId]));
  const manages = (id: string) => [...managerOf.values()].includes(id);
  const arsen = (await control.groups(tenantId)).find((g) => g.displayName === 'arsen');
  for (let i = 0; i < changes; i += 1) {
    const kind = pick(kinds);
    const person = pick(people);
    try {
      switch (kind) {
        case 'rename':
          await control.updateUser(tenantId, person.id, { displayName: `${person.displayName} (${seed}.${i})` });
          break;
        case 'department':
          await control.updateUser(tenantId, person.id, { department: pick(['Sales', 'Engineering', 'Finance', 'Legal', null]), jobTitle: `Title ${seed}.${i}` });
          break;
        case 'disable':
        case 'enable':
          await control.updateUser(tenantId, person.id, { accountEnabled: kind === 'enable' });
          break;
        case 'delete':
          if (manages(person.id) || deleted.includes(person.id)) continue;
          await control.deleteUser(tenantId, person.id);
          deleted.push(person.id);
          break;
        case 'restore':
          if (deleted.length === 0) continue;
          await control.restoreUser(tenantId, deleted.splice(Math.floor(random() * deleted.length), 1)[0]!);
          break;
        case 'hire': {
          const name = `hire${seed}x${i}`;
          const managerId = pick(people).id;
          const hired = await control.createUser(tenantId, { displayName: `Hire ${seed}.${i}`, userPrincipalName: `${name}@${await domainOf(control, tenantId)}`, mail: `${name}@${await domainOf(control, tenantId)}`, managerId });
          people.push(hired);
          managerOf.set(hired.id, managerId);
          if (arsen && random() < 0.5) await control.addMembers(tenantId, arsen.id, [hired.id]);
          break;
        }
        case 'manager': {
          const managerId = random() < 0.2 ? null : pick(people).id;
          await control.updateUser(tenantId, person.id, { managerId });
          managerOf.set(person.id, managerId);
          break;
        }
        case 'join':
          if (!arsen) continue;
          await control.addMembers(tenantId, arsen.id, [person.id]);
          break;
        case 'leave':
          if (!arsen) continue;
          await control.removeMember(tenantId, arsen.id, pick(arsen.memberIds ?? [person.id]));
          break;
      }
      done[kind] += 1;
    } catch {
      // Entra refused it (a deleted user changed, a member added twice): not a change.
    }
  }
  return done;
}

const domains = new Map<string, string>();
async function domainOf(control: EmulatorControl, tenantId: string): Promise<string> {
  if (!domains.has(tenantId)) domains.set(tenantId, (await control.tenant(tenantId)).defaultDomain);
  return domains.get(tenantId)!;
}
