import fc from 'fast-check';
import { EntraIdSet } from '@users-sync/api/domain/index';

const guid = fc.uuid().map((id) => id.toLowerCase());
// Mostly GUIDs, and now and then something that is not one (upper case, arbitrary text).
const anyId = fc.oneof({ weight: 8, arbitrary: guid }, { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });
const isLowercaseGuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);

describe('the set of Entra ids a run has read', () => {
  it('answers like a Set of strings (members, size), past the sizes where it grows, and lists GUIDs then other ids, each in the order first added', () => {
    fc.assert(
      // From 1,100 ids on, the index has grown (it holds 1,024 before its first growth).
      fc.property(fc.array(anyId, { minLength: 1_100, maxLength: 3_000 }), fc.array(anyId, { maxLength: 50 }), (added, asked) => {
        const compact = new EntraIdSet();
        const model = new Set<string>();
        // Some ids come twice, as a user in two groups does.
        for (const id of [...added, ...added.slice(0, 200)]) {
          compact.add(id);
          model.add(id);
        }
        expect(compact.size).toBe(model.size);
        for (const id of [...added, ...asked]) expect(compact.has(id)).toBe(model.has(id));
        const inOrder = [...model];
        expect([...compact]).toEqual([...inOrder.filter(isLowercaseGuid), ...inOrder.filter((id) => !isLowercaseGuid(id))]);
      }),
      // No shrinking: thousands of ids would take minutes to shrink, and the first failing case says enough.
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('keeps every one of a hundred thousand ids made in sequence, and nothing else', () => {
    const compact = new EntraIdSet();
    const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    for (let n = 0; n < 100_000; n += 1) compact.add(id(n));
    expect(compact.size).toBe(100_000);
    for (let n = 0; n < 100_000; n += 1) if (!compact.has(id(n))) throw new Error(`lost ${id(n)}`);
    expect(compact.has(id(100_000))).toBe(false);
    expect(compact.has(id(0xabc).toUpperCase())).toBe(false);
    expect([...compact]).toEqual(Array.from({ length: 100_000 }, (_, n) => id(n)));
  });
});
