import { type DirectoryUser, managerIdOf } from './directory-user';
import { type ExclusionList, isExcluded } from './exclusions';

/** What the directory keeps about an employee, mapped from Entra. Order and names are part of the hash. */
export interface EmployeeAttributes {
  email: string;
  givenName: string | null;
  surname: string | null;
  displayName: string | null;
  department: string | null;
  jobTitle: string | null;
  officeLocation: string | null;
  city: string | null;
  country: string | null;
  preferredLanguage: string | null;
  employeeId: string | null;
  companyName: string | null;
  managerId: string | null;
}

export const employeeAttributeNames = [
  'email',
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
  'managerId',
] as const satisfies ReadonlyArray<keyof EmployeeAttributes>;

export type SkipReason = 'no_usable_email' | 'disabled' | 'guest_excluded' | 'excluded';

export const skipReasonText: Record<SkipReason, string> = {
  no_usable_email: 'has no mailbox address and no usable user principal name',
  disabled: 'account is disabled in Entra ID',
  guest_excluded: 'is a guest and guests are not synced',
  excluded: 'is on the exclusion list',
};

export interface MappingOptions {
  includeGuests: boolean;
  exclusions: ExclusionList;
}

export type MappedUser =
  | { kind: 'employee'; entraObjectId: string; attributes: EmployeeAttributes }
  | { kind: 'skipped'; entraObjectId: string; email: string | null; displayName: string | null; reason: SkipReason };

const guestUpn = /#EXT#/i;
// A loose check on purpose: Entra already validated the address, we only refuse what cannot be mailed.
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The address the employee is reached at: the mailbox, else the UPN unless it is a guest's `#EXT#` one. */
export function usableEmail(user: Pick<DirectoryUser, 'mail' | 'userPrincipalName'>): string | null {
  if (user.mail && emailShape.test(user.mail)) return user.mail.toLowerCase();
  const upn = user.userPrincipalName;
  if (upn && !guestUpn.test(upn) && emailShape.test(upn)) return upn.toLowerCase();
  return null;
}

function isGuest(user: DirectoryUser): boolean {
  return user.userType?.toLowerCase() === 'guest' || (user.userPrincipalName !== null && guestUpn.test(user.userPrincipalName));
}

/** Maps one Entra user to an employee, or says why it is not one. */
export function mapDirectoryUser(user: DirectoryUser, options: MappingOptions): MappedUser {
  const email = usableEmail(user);
  const skip = (reason: SkipReason): MappedUser => ({ kind: 'skipped', entraObjectId: user.id, email, displayName: user.displayName, reason });
  // Only an explicit false disables: a payload that omits the property is not evidence of a disabled account.
  if (user.accountEnabled === false) return skip('disabled');
  if (isGuest(user) && !options.includeGuests) return skip('guest_excluded');
  if (email === null) return skip('no_usable_email');
  if (isExcluded(email, options.exclusions)) return skip('excluded');
  return {
    kind: 'employee',
    entraObjectId: user.id,
    attributes: {
      email,
      givenName: user.givenName,
      surname: user.surname,
      displayName: user.displayName,
      department: user.department,
      jobTitle: user.jobTitle,
      officeLocation: user.officeLocation,
      city: user.city,
      country: user.country,
      preferredLanguage: user.preferredLanguage,
      employeeId: user.employeeId,
      companyName: user.companyName,
      managerId: managerIdOf(user),
    },
  };
}

/** Which mapped attributes differ, for the change log. */
export function changedAttributes(before: EmployeeAttributes, after: EmployeeAttributes): Array<keyof EmployeeAttributes> {
  return employeeAttributeNames.filter((name) => before[name] !== after[name]);
}
