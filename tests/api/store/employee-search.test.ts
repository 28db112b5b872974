import { compareEmployee } from '@users-sync/api/domain/index';
import { describeEachStore } from './store-backends';
import { employeeAttributes } from '../employee-attributes';

const person = (email: string, displayName: string) => employeeAttributes(email, { displayName });

describeEachStore('searching the directory', (backend) => {
  it('takes _ and % in a search literally, not as wildcards', async () => {
    const { store, done } = await backend.open();
    try {
      const org = await store.organizations.create('Contoso');
      await store.employees.applyChanges(
        org.id,
        [
          compareEmployee(undefined, 'u1', person('jane_doe@contoso.com', 'Jane Doe')),
          compareEmployee(undefined, 'u2', person('janexdoe@contoso.com', 'Jane X Doe')),
          compareEmployee(undefined, 'u3', person('bob@contoso.com', 'Bob 50% Time')),
          compareEmployee(undefined, 'u4', person('carl@contoso.com', 'Carl 500 Time')),
        ],
        store.now(),
      );
      const emails = async (search: string) => (await store.employeeSearch.search(org.id, { search, limit: 10 })).employees.map((e) => e.email);
      expect(await emails('jane_doe')).toEqual(['jane_doe@contoso.com']);
      expect(await emails('50%')).toEqual(['bob@contoso.com']);
      expect(await emails('JANE')).toEqual(['jane_doe@contoso.com', 'janexdoe@contoso.com']);
      expect(await emails('back\\slash')).toEqual([]);
    } finally {
      await done();
    }
  });
});
