import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export interface Organization {
  id: string;
  name: string;
  createdAt: string;
}

export function organizationRepository(db: Kysely<Database>, now: () => string) {
  return {
    /** `tenantId`: the Entra tenant its people sign in from, when known (the api always knows it). */
    async create(name: string, tenantId?: string): Promise<Organization> {
      const organization = { id: randomUUID(), name, created_at: now(), ...(tenantId ? { tenant_id: tenantId.toLowerCase() } : {}) };
      await db.insertInto('organizations').values(organization).execute();
      return { id: organization.id, name, createdAt: organization.created_at };
    },
    async get(id: string): Promise<Organization | undefined> {
      const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { id: row.id, name: row.name, createdAt: row.created_at };
    },
    async list(): Promise<Organization[]> {
      const rows = await db.selectFrom('organizations').selectAll().orderBy('created_at').execute();
      return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
    },
  };
}

