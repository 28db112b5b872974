import type { Employee as StoredEmployee, EmployeeChangeEntry } from '../../store';
import type { Employee } from '../../contract';
import { type z } from 'zod';
import { type employeeChangeSchema } from '../../contract';

/** A stored employee as the tab reads it. */
export function employeeRepresentation(employee: StoredEmployee, managerEmail: string | null): Employee {
  return {
    id: employee.id,
    email: employee.email,
    displayName: employee.displayName ?? employee.email,
    firstName: employee.givenName,
    lastName: employee.surname,
    department: employee.department,
    jobTitle: employee.jobTitle,
    office: employee.officeLocation,
    city: employee.city,
    country: employee.country,
    preferredLanguage: employee.preferredLanguage,
    employeeId: employee.employeeId,
    company: employee.companyName,
    managerEmail,
    source: employee.source,
    status: employee.status,
    firstSeenAt: employee.firstSeenAt,
    lastSyncedAt: employee.lastSyncedAt,
    deactivatedAt: employee.deactivatedAt,
  };
}

export function employeeChangeRepresentation(entry: EmployeeChangeEntry): z.input<typeof employeeChangeSchema> {
  return { at: entry.at, runId: entry.runId, action: entry.action, changedFields: entry.changedFields ?? [], reason: entry.reason };
}
