import fc from 'fast-check';
import { managerIdOf } from '@users-sync/api/domain/directory-user';
import {
  changedAttributes,
  directoryUserSchema,
  hashEmployeeAttributes,
  mapDirectoryUser,
  parseExclusionList,
  emptyExclusionList,
  type MappingOptions,
  type EmployeeAttributes,
  employeeAttributeNames,
} from '@users-sync/api/domain/index';

const options: MappingOptions = { includeGuests: false, exclusions: emptyExclusionList };
const user = (fields: Record<string, unknown>) =>
  directoryUserSchema.parse({ id: 'u1', accountEnabled: true, userPrincipalName: 'ada@contoso.com', mail: 'Ada@Contoso.com', ...fields });

describe('mapping an Entra user to an employee', () => {
  it('takes the email from the mailbox address, lower-cased', () => {
    expect(mapDirectoryUser(user({}), options)).toMatchObject({ kind: 'employee', attributes: { email: 'ada@contoso.com' } });
  });

  it('falls back to the user principal name when there is no mailbox', () => {
    expect(mapDirectoryUser(user({ mail: null }), options)).toMatchObject({ kind: 'employee', attributes: { email: 'ada@contoso.com' } });
  });

  it('never uses a guest #EXT# principal name as an email, and reports why the user is skipped', () => {
    const guest = user({ mail: null, userPrincipalName: 'bob_fabrikam.com#EXT#@contoso.onmicrosoft.com', userType: 'Member' });
    expect(mapDirectoryUser(guest, { ...options, includeGuests: true })).toMatchObject({ kind: 'skipped', reason: 'no_usable_email' });
  });

  it('skips a mailbox-less user with a principal name that is not an address', () => {
    expect(mapDirectoryUser(user({ mail: null, userPrincipalName: 'not-an-address' }), options)).toMatchObject({ kind: 'skipped', reason: 'no_usable_email' });
  });

  it('skips disabled accounts', () => {
    expect(mapDirectoryUser(user({ accountEnabled: false }), options)).toMatchObject({ kind: 'skipped', reason: 'disabled' });
  });

  it('skips guests unless guests are turned on', () => {
    const guest = user({ userType: 'Guest', mail: 'bob@fabrikam.com', userPrincipalName: 'bob_fabrikam.com#EXT#@contoso.onmicrosoft.com' });
    expect(mapDirectoryUser(guest, options)).toMatchObject({ kind: 'skipped', reason: 'guest_excluded' });
    expect(mapDirectoryUser(guest, { ...options, includeGuests: true })).toMatchObject({ kind: 'employee', attributes: { email: 'bob@fabrikam.com' } });
  });

  it('skips addresses and domains on the exclusion list', () => {
    const exclusions = parseExclusionList(['ceo@contoso.com', '@board.contoso.com', 'partners.example']);
    expect(mapDirectoryUser(user({ mail: 'CEO@contoso.com' }), { ...options, exclusions })).toMatchObject({ kind: 'skipped', reason: 'excluded' });
    expect(mapDirectoryUser(user({ mail: 'x@board.contoso.com' }), { ...options, exclusions })).toMatchObject({ reason: 'excluded' });
    expect(mapDirectoryUser(user({ mail: 'y@eu.partners.example' }), { ...options, exclusions })).toMatchObject({ reason: 'excluded' });
    expect(mapDirectoryUser(user({ mail: 'ada@contoso.com' }), { ...options, exclusions })).toMatchObject({ kind: 'employee' });
  });

  it('refuses an exclusion entry that is neither an address nor a domain', () => {
    expect(() => parseExclusionList(['not a domain'])).toThrow(/neither an email address nor a domain/);
  });

  it('maps names, job, place, language, ids, company and manager', () => {
    const mapped = mapDirectoryUser(
      user({
        givenName: 'Ada',
        surname: 'Lovelace',
        displayName: 'Ada Lovelace',
        department: 'Engineering',
        jobTitle: 'Engineer',
        officeLocation: 'B1',
        city: 'London',
        country: 'UK',
        preferredLanguage: 'en-GB',
        employeeId: 'E1',
        companyName: 'Contoso',
        manager: { id: 'm1' },
      }),
      options,
    );
    expect(mapped).toEqual({
      kind: 'employee',
      entraObjectId: 'u1',
      attributes: {
        email: 'ada@contoso.com',
        givenName: 'Ada',
        surname: 'Lovelace',
        displayName: 'Ada Lovelace',
        department: 'Engineering',
        jobTitle: 'Engineer',
        officeLocation: 'B1',
        city: 'London',
        country: 'UK',
        preferredLanguage: 'en-GB',
        employeeId: 'E1',
        companyName: 'Contoso',
        managerId: 'm1',
      },
    });
  });

  it('reads the manager from a delta round too', () => {
    const mapped = mapDirectoryUser(user({ 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'm2' }] }), options);
    expect(mapped).toMatchObject({ attributes: { managerId: 'm2' } });
  });

  it('refuses a payload without an id', () => {
    expect(directoryUserSchema.safeParse({ mail: 'a@b.com' }).success).toBe(false);
  });
});

describe('the attribute hash', () => {
  const base = mapDirectoryUser(user({ department: 'Sales' }), options);
  if (base.kind !== 'employee') throw new Error('expected an employee');

  it('is the same for the same attributes', () => {
    expect(hashEmployeeAttributes(base.attributes)).toBe(hashEmployeeAttributes({ ...base.attributes }));
    expect(hashEmployeeAttributes(base.attributes)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with any attribute, and tells an empty value from a missing one', () => {
    const hashes = new Set([
      hashEmployeeAttributes(base.attributes),
      hashEmployeeAttributes({ ...base.attributes, department: 'Marketing' }),
      hashEmployeeAttributes({ ...base.attributes, department: null }),
      hashEmployeeAttributes({ ...base.attributes, jobTitle: 'Sales' }),
    ]);
    expect(hashes.size).toBe(4);
  });

  it('stays what it was in earlier versions, so an upgrade does not see every employee as changed', () => {
    const adele = {
      email: 'adele.vance@contoso.com', givenName: 'Adele', surname: 'Vance', displayName: 'Adele Vance', department: 'Retail', jobTitle: 'Retail Manager',
      officeLocation: '18/2111', city: 'Bellevue', country: 'United States', preferredLanguage: 'en-US', employeeId: '1001', companyName: 'Contoso',
      managerId: '7c7b3a9e-0f4e-4f5e-9a3e-2b1d0c9e8f7a',
    };
    // Values stored by the directories of earlier versions.
    expect(hashEmployeeAttributes(adele)).toBe('dd100992b048f79e');
    expect(hashEmployeeAttributes({ ...adele, department: null, managerId: null, city: 'Zürich ✓' })).toBe('49fa0e3ed86a8e1e');
  });

  it('is the two FNV-1a lanes of the attributes written out in order, whatever their values', () => {
    // How earlier versions computed it: the attributes joined into one string, then hashed.
    const joinedThenHashed = (attributes: EmployeeAttributes) => {
      const canonical = employeeAttributeNames.map((name) => (attributes[name] === null ? '\u0000' : `\u0001${attributes[name]}`)).join('\u001f');
      let a = 0x811c9dc5;
      let b = 0x01000193 ^ 0x5bd1e995;
      for (let i = 0; i < canonical.length; i += 1) {
        const c = canonical.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
      }
      return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
    };
    const value = fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null });
    const attributes = fc.record(Object.fromEntries(employeeAttributeNames.map((name) => [name, value])) as Record<keyof EmployeeAttributes, fc.Arbitrary<string | null>>);
    fc.assert(fc.property(attributes, (a) => hashEmployeeAttributes(a as EmployeeAttributes) === joinedThenHashed(a as EmployeeAttributes)), { numRuns: 500 });
  });

  it('names the attributes that changed', () => {
    expect(changedAttributes(base.attributes, { ...base.attributes, department: 'Marketing', city: 'Paris' })).toEqual(['department', 'city']);
  });
});

describe('the manager, however Graph carries it', () => {
  const parse = (raw: Record<string, unknown>) => directoryUserSchema.parse({ id: 'u1', ...raw });

  it('reads an expanded manager, a manager@delta reference, and a manager@delta list', () => {
    expect(managerIdOf(parse({ manager: { '@odata.type': '#microsoft.graph.user', id: 'm1' } }))).toBe('m1');
    expect(managerIdOf(parse({ 'manager@delta': { id: 'm2' } }))).toBe('m2');
    expect(managerIdOf(parse({ 'manager@delta': [{ id: 'm3' }] }))).toBe('m3');
  });

  it('reads a manager marked @removed, or an empty list, as no manager', () => {
    expect(managerIdOf(parse({ 'manager@delta': [{ id: 'm1', '@removed': { reason: 'deleted' } }] }))).toBeNull();
    expect(managerIdOf(parse({ 'manager@delta': { id: 'm1', '@removed': { reason: 'deleted' } } }))).toBeNull();
    expect(managerIdOf(parse({ 'manager@delta': [] }))).toBeNull();
  });
});
