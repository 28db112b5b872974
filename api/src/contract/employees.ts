import { z } from 'zod';

export const employeeSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    department: z.string().nullable(),
    jobTitle: z.string().nullable(),
    office: z.string().nullable(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    preferredLanguage: z.string().nullable(),
    employeeId: z.string().nullable(),
    company: z.string().nullable(),
    managerEmail: z.string().nullable(),
    source: z.enum(['microsoft', 'csv', 'manual']),
    status: z.enum(['active', 'inactive']),
    firstSeenAt: z.iso.datetime(),
    lastSyncedAt: z.iso.datetime().nullable(),
    deactivatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Employee' });
export type Employee = z.infer<typeof employeeSchema>;

export const employeeQuerySchema = z.object({
  search: z.string().trim().max(256).optional(),
  status: z.enum(['active', 'inactive']).optional(),
  source: z.enum(['microsoft', 'csv', 'manual']).optional(),
  department: z.string().trim().max(256).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const employeePageSchema = z
  .object({ employees: z.array(employeeSchema), total: z.number().int(), nextCursor: z.string().nullable() })
  .meta({ id: 'EmployeePage' });

export const employeeChangeSchema = z
  .object({
    at: z.iso.datetime(),
    runId: z.string().nullable(),
    action: z.enum(['created', 'updated', 'deactivated', 'reactivated']),
    /** The attributes an update changed. */
    changedFields: z.array(z.string()),
    /** Why a deactivation happened (disabled in Entra, left the scope, deleted…). */
    reason: z.string().nullable(),
  })
  .meta({ id: 'EmployeeChange' });

export const scopeGroupSchema = z.object({ id: z.string(), displayName: z.string().nullable() }).meta({ id: 'ScopeGroup' });

export const employeeDetailSchema = z
  .object({
    employee: employeeSchema,
    changes: z.array(employeeChangeSchema),
    /**
     * For a group scope, through which groups the employee is in it, as the last full sync
     * saw: each path runs from a scope group down the nested groups to the one that holds
     * them directly. Empty when that sync did not find them in scope; null for the all-users
     * scope, or before a full sync recorded it.
     */
    scopePaths: z.array(z.array(scopeGroupSchema)).nullable(),
  })
  .meta({ id: 'EmployeeDetail' });

export const departmentQuerySchema = z.object({ status: z.enum(['active', 'inactive']).optional() });

/** The departments employees are in, for the list's department filter. */
export const departmentListSchema = z
  .object({
    departments: z.array(z.object({ name: z.string(), employees: z.number().int() })),
    /** True when there were more departments than the list holds (the first 1,000 by name are listed). */
    truncated: z.boolean(),
  })
  .meta({ id: 'DepartmentList' });
