import { z } from 'zod';

/**
 * The user properties a sync asks Graph for. Most of them exist only when selected
 * (GRAPH_NOTES: accountEnabled, department, employeeId, …), so every read names them.
 */
export const directoryUserFields = [
  'id',
  'accountEnabled',
  'mail',
  'userPrincipalName',
  'userType',
  'givenName',
  'surname',
  'displayName',
  'department',
  'jobTitle',
  'officeLocation',
  'city',
  'country',
  'preferredLanguage',
  'employeeId',
  'companyName',
] as const;

const text = z.string().nullish().transform((v) => (v === undefined || v === null || v.trim() === '' ? null : v.trim()));
const reference = z.object({ id: z.string().min(1) }).loose();

/** A user as Graph sends it (a list item, a transitive member or a delta entry). Unknown properties pass through unread. */
export const directoryUserSchema = z
  .object({
    id: z.string().min(1),
    accountEnabled: z.boolean().nullish(),
    mail: text,
    userPrincipalName: text,
    userType: text,
    givenName: text,
    surname: text,
    displayName: text,
    department: text,
    jobTitle: text,
    officeLocation: text,
    city: text,
    country: text,
    preferredLanguage: text,
    employeeId: text,
    companyName: text,
    manager: reference.nullish(),
    // Delta rounds carry the manager as `manager@delta`, as one reference or a list of them.
    'manager@delta': z.union([reference, z.array(reference)]).nullish(),
    '@removed': z.object({ reason: z.string().optional() }).loose().optional(),
  })
  .loose();

export type DirectoryUser = z.output<typeof directoryUserSchema>;

/** The manager's object id, however Graph carried it. */
export function managerIdOf(user: DirectoryUser): string | null {
  const delta = user['manager@delta'];
  // A removed manager may come as an entry marked `@removed`: that means no manager.
  const current = (entry: { id: string } | undefined) => (entry && !('@removed' in entry) ? entry.id : null);
  if (Array.isArray(delta)) return current(delta[delta.length - 1]);
  if (delta) return current(delta);
  return user.manager?.id ?? null;
}
