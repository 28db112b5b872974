import { randomUUID } from 'node:crypto';
import type { Store } from '@users-sync/api/store/index';

/** An employee as a CSV import (its own issue) will store one: no Entra id, source `csv`. */
export async function storeImportedEmployee(store: Store, organizationId: string, fields: { email: string; department?: string; status?: 'active' | 'inactive' }): Promise<string> {
  const id = randomUUID();
  const at = store.now();
  await store.db
    .insertInto('employees')
    .values({
      id,
      organization_id: organizationId,
      source: 'csv',
      status: fields.status ?? 'active',
      entra_object_id: null,
      email: fields.email,
      given_name: null,
      surname: null,
      display_name: fields.email,
      department: fields.department ?? null,
      job_title: null,
      office_location: null,
      city: null,
      country: null,
      preferred_language: null,
      entra_employee_id: null,
      company_name: null,
      manager_entra_id: null,
      attributes_hash: null,
      first_seen_at: at,
      last_synced_at: null,
      deactivated_at: null,
      updated_at: at,
    })
    .execute();
  return id;
}
