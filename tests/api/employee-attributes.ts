import type { EmployeeAttributes } from '@users-sync/api/domain/index';

/** An employee's attributes with everything but the email empty, for tests to fill what they need. */
export function employeeAttributes(email: string, fields: Partial<EmployeeAttributes> = {}): EmployeeAttributes {
  return {
    email,
    givenName: null,
    surname: null,
    displayName: null,
    department: null,
    jobTitle: null,
    officeLocation: null,
    city: null,
    country: null,
    preferredLanguage: null,
    employeeId: null,
    companyName: null,
    managerId: null,
    ...fields,
  };
}
