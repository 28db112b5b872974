import type { EmployeeAttributes } from './employee';

/**
 * The CSV import's rules, pure: which header feeds which field, what makes a row wrong,
 * and what applying the file would change. No parsing, no I/O.
 */

export const csvImportFields = [
  'email',
  'firstName',
  'lastName',
  'displayName',
  'department',
  'jobTitle',
  'office',
  'city',
  'country',
  'language',
  'employeeId',
  'company',
  'managerEmail',
  'status',
] as const;
export type CsvImportField = (typeof csvImportFields)[number];

/** Headers as people write them, compared without case, spaces, dashes, dots or underscores. */
const headerAliases: Record<CsvImportField, readonly string[]> = {
  email: ['email', 'emailaddress', 'mail', 'workemail', 'userprincipalname', 'upn'],
  firstName: ['firstname', 'givenname', 'first', 'forename'],
  lastName: ['lastname', 'surname', 'familyname', 'last'],
  displayName: ['displayname', 'fullname', 'name'],
  department: ['department', 'dept'],
  jobTitle: ['jobtitle', 'title', 'position'],
  office: ['office', 'officelocation', 'location'],
  city: ['city', 'town'],
  country: ['country', 'countryorregion'],
  language: ['language', 'preferredlanguage', 'locale'],
  employeeId: ['employeeid', 'employeenumber', 'staffid'],
  company: ['company', 'companyname'],
  managerEmail: ['manageremail', 'manager', 'managermail'],
  status: ['status', 'state'],
};
/** Columns our own export writes that the import knows and leaves alone. */
const knownIgnored = new Set(['source']);

const normalizeHeader = (header: string) => header.toLowerCase().replace(/[\s\-_.]/g, '');

export interface HeaderMapping {
  /** Column index → field. */
  fields: Map<number, CsvImportField>;
  columns: Array<{ header: string; field: CsvImportField }>;
  ignored: string[];
  /** A field two columns claim (e.g. "Email" and "E-mail"): the file is ambiguous. */
  duplicated: Array<{ field: CsvImportField; headers: string[] }>;
}

export function mapHeaders(headers: readonly string[]): HeaderMapping {
  const fields = new Map<number, CsvImportField>();
  const columns: HeaderMapping['columns'] = [];
  const ignored: string[] = [];
  const seen = new Map<CsvImportField, string[]>();
  headers.forEach((header, index) => {
    const key = normalizeHeader(header);
    const field = csvImportFields.find((f) => headerAliases[f].includes(key));
    if (!field) {
      if (!knownIgnored.has(key) && key !== '') ignored.push(header);
      return;
    }
    seen.set(field, [...(seen.get(field) ?? []), header]);
    if (!fields.has(index) && seen.get(field)!.length === 1) {
      fields.set(index, field);
      columns.push({ header, field });
    }
  });
  const duplicated = [...seen.entries()].filter(([, h]) => h.length > 1).map(([field, h]) => ({ field, headers: h }));
  return { fields, columns, ignored, duplicated };
}

export interface CsvRow {
  /** The line of the file the row starts on. */
  line: number;
  /** Only the fields the file has a column for. */
  values: Partial<Record<CsvImportField, string>>;
}

/** What the directory keeps of an employee, as the import compares it: the manager is named by email. */
export type ImportedAttributes = Omit<EmployeeAttributes, 'managerId'> & { managerEmail: string | null };

const attributeOfField: Record<Exclude<CsvImportField, 'status'>, keyof ImportedAttributes> = {
  email: 'email',
  firstName: 'givenName',
  lastName: 'surname',
  displayName: 'displayName',
  department: 'department',
  jobTitle: 'jobTitle',
  office: 'officeLocation',
  city: 'city',
  country: 'country',
  language: 'preferredLanguage',
  employeeId: 'employeeId',
  company: 'companyName',
  managerEmail: 'managerEmail',
};

export interface DirectoryEntry {
  id: string;
  source: 'microsoft' | 'csv' | 'manual';
  status: 'active' | 'inactive';
  attributes: ImportedAttributes;
}

export type CsvRowErrorCode =
  | 'EMAIL_MISSING'
  | 'EMAIL_INVALID'
  | 'EMAIL_DUPLICATE'
  | 'MANAGED_BY_MICROSOFT'
  | 'MANAGER_UNKNOWN'
  | 'STATUS_INVALID'
  | 'VALUE_TOO_LONG'
  | 'VALUE_FORMULA'
  | 'VALUE_CONTROL_CHARACTERS'
  | 'COLUMN_COUNT';

export interface CsvRowError {
  line: number;
  email: string | null;
  /** The field at fault. */
  field: CsvImportField | null;
  code: CsvRowErrorCode;
  message: string;
}

export interface PlannedChange {
  line: number | null;
  employeeId: string | null;
  email: string;
  attributes: ImportedAttributes;
  status: 'active' | 'inactive';
  changedFields: Array<keyof ImportedAttributes | 'status'>;
  /** The employee as the directory held it (null for a creation): what binds a preview to the directory as it was. */
  before: { status: 'active' | 'inactive'; attributes: ImportedAttributes } | null;
}

export interface CsvImportPlan {
  create: PlannedChange[];
  update: PlannedChange[];
  reactivate: PlannedChange[];
  deactivate: PlannedChange[];
  unchanged: number;
  errors: CsvRowError[];
}

const emailShape = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;]+$/;
const MAX_VALUE_LENGTH = 256;
// Newlines and tabs are allowed (quoted fields may hold them); other control characters are not text.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const formulaStart = /^[=+\-@]/;

/**
 * Our export prefixes a cell that a spreadsheet would run as a formula with a quote
 * (csv-stringify's escape_formulas); the import takes that quote off again, so an
 * exported file reads back as the values it was made from.
 */
export function unescapeFormulaCell(value: string): string {
  return value.length > 1 && value.startsWith("'") && /^[=+\-@\t\r]/.test(value.slice(1)) ? value.slice(1) : value;
}

/** What applying the rows would do to the directory, with every row's errors. */
export function planCsvImport(rows: readonly CsvRow[], directory: readonly DirectoryEntry[], missing: 'keep' | 'deactivate'): CsvImportPlan {
  const plan: CsvImportPlan = { create: [], update: [], reactivate: [], deactivate: [], unchanged: 0, errors: [] };
  const byEmail = new Map(directory.map((e) => [e.attributes.email.toLowerCase(), e]));
  const firstLineOf = new Map<string, number>();
  const candidates: Array<{ row: CsvRow; email: string; attributes: ImportedAttributes; status: 'active' | 'inactive'; existing: DirectoryEntry | undefined }> = [];

  for (const row of rows) {
    const errorsBefore = plan.errors.length;
    const fail = (code: CsvRowErrorCode, field: CsvImportField | null, message: string, email: string | null) => plan.errors.push({ line: row.line, email, field, code, message });
    const rawEmail = (row.values.email ?? '').trim();
    const email = rawEmail.toLowerCase();
    if (!email) {
      fail('EMAIL_MISSING', 'email', 'The email is empty: every row needs one.', null);
      continue;
    }
    if (!emailShape.test(email) || email.length > 254) {
      fail('EMAIL_INVALID', 'email', `"${rawEmail.slice(0, 80)}" is not an email address.`, rawEmail.slice(0, 254));
      continue;
    }
    const earlier = firstLineOf.get(email);
    if (earlier !== undefined) {
      fail('EMAIL_DUPLICATE', 'email', `${email} is already on line ${earlier}: keep one row per person.`, email);
      continue;
    }
    firstLineOf.set(email, row.line);

    const existing = byEmail.get(email);
    const managedByMicrosoft = existing?.source === 'microsoft';
    const values: Partial<Record<CsvImportField, string>> = {};
    for (const [field, raw] of Object.entries(row.values) as Array<[CsvImportField, string]>) {
      const value = unescapeFormulaCell(raw.trim());
      values[field] = value;
      if (value.length > MAX_VALUE_LENGTH) fail('VALUE_TOO_LONG', field, `The ${field} is longer than ${MAX_VALUE_LENGTH} characters.`, email);
      else if (controlCharacters.test(value)) fail('VALUE_CONTROL_CHARACTERS', field, `The ${field} holds control characters, which are not text. Was the file saved as CSV UTF-8?`, email);
      else if (!managedByMicrosoft && value.length > 1 && formulaStart.test(value)) {
        fail('VALUE_FORMULA', field, `The ${field} starts with "${value[0]}", which spreadsheets run as a formula. Remove that first character.`, email);
      }
    }
    const statusText = (values.status ?? '').toLowerCase();
    if (statusText !== '' && statusText !== 'active' && statusText !== 'inactive') {
      fail('STATUS_INVALID', 'status', `The status "${values.status}" is neither active nor inactive.`, email);
    }
    const managerEmail = values.managerEmail?.toLowerCase() ?? '';
    if (managerEmail && !emailShape.test(managerEmail)) fail('MANAGER_UNKNOWN', 'managerEmail', `The manager email "${values.managerEmail}" is not an email address.`, email);
    if (plan.errors.length > errorsBefore) continue;

    const attributes = attributesOf(values, email, existing);
    // Being in the file means being an employee: active unless the row says inactive.
    const status = statusText === 'inactive' ? 'inactive' : 'active';
    candidates.push({ row, email, attributes, status, existing });
  }

  const inFile = new Set(candidates.map((c) => c.email));
  const leaving = new Set<string>();
  if (missing === 'deactivate') {
    for (const entry of directory) {
      const email = entry.attributes.email.toLowerCase();
      if (entry.source !== 'microsoft' && entry.status === 'active' && !inFile.has(email) && !firstLineOf.has(email)) leaving.add(email);
    }
  }
  const knownManager = (email: string) => inFile.has(email) || firstLineOf.has(email) || (byEmail.has(email) && !leaving.has(email));

  for (const candidate of candidates) {
    const { row, email, attributes, status, existing } = candidate;
    if (attributes.managerEmail && !knownManager(attributes.managerEmail)) {
      plan.errors.push({ line: row.line, email, field: 'managerEmail', code: 'MANAGER_UNKNOWN', message: `The manager ${attributes.managerEmail} is neither in the file nor in the directory.` });
      continue;
    }
    const change: PlannedChange = { line: row.line, employeeId: existing?.id ?? null, email, attributes, status, changedFields: [], before: existing ? { status: existing.status, attributes: existing.attributes } : null };
    if (!existing) {
      plan.create.push(change);
      continue;
    }
    change.changedFields = changedFields(existing, attributes, status);
    if (change.changedFields.length === 0) {
      plan.unchanged += 1;
    } else if (existing.source === 'microsoft') {
      plan.errors.push({
        line: row.line,
        email,
        field: null,
        code: 'MANAGED_BY_MICROSOFT',
        message: `${email} is synced from Microsoft 365: change ${change.changedFields.join(', ')} in Microsoft Entra ID, or leave the row as it is.`,
      });
    } else if (existing.status === 'inactive' && status === 'active') {
      plan.reactivate.push(change);
    } else if (existing.status === 'active' && status === 'inactive') {
      plan.deactivate.push(change);
    } else {
      plan.update.push(change);
    }
  }

  for (const entry of directory) {
    if (!leaving.has(entry.attributes.email.toLowerCase())) continue;
    plan.deactivate.push({ line: null, employeeId: entry.id, email: entry.attributes.email, attributes: entry.attributes, status: 'inactive', changedFields: ['status'], before: { status: entry.status, attributes: entry.attributes } });
  }
  plan.errors.sort((a, b) => a.line - b.line);
  return plan;
}

/** The row's values over what the directory holds: a column the file does not have leaves that attribute as it is. */
function attributesOf(values: Partial<Record<CsvImportField, string>>, email: string, existing: DirectoryEntry | undefined): ImportedAttributes {
  const base: ImportedAttributes = existing?.attributes ?? {
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
    managerEmail: null,
  };
  const attributes: ImportedAttributes = { ...base, email };
  for (const [field, attribute] of Object.entries(attributeOfField) as Array<[Exclude<CsvImportField, 'status'>, keyof ImportedAttributes]>) {
    if (field === 'email' || !(field in values)) continue;
    const value = values[field] ?? '';
    (attributes as unknown as Record<string, string | null>)[attribute] = value === '' ? null : field === 'managerEmail' ? value.toLowerCase() : value;
  }
  // A person is shown by name: without a display name, the first and last names make one, else the email.
  if (attributes.displayName === null && !(existing && !('displayName' in values) && !('firstName' in values) && !('lastName' in values))) {
    attributes.displayName = [attributes.givenName, attributes.surname].filter(Boolean).join(' ') || email;
  }
  return attributes;
}

function changedFields(existing: DirectoryEntry, attributes: ImportedAttributes, status: 'active' | 'inactive'): Array<keyof ImportedAttributes | 'status'> {
  const changed: Array<keyof ImportedAttributes | 'status'> = (Object.keys(attributes) as Array<keyof ImportedAttributes>).filter((key) => (existing.attributes[key] ?? null) !== (attributes[key] ?? null));
  if (existing.status !== status) changed.push('status');
  return changed;
}
