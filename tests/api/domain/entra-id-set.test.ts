import fc from 'fast-check';
import { EntraIdSet } from '@users-sync/api/domain/index';

const guid = fc.uuid().map((id) => id.toLowerCase());
// Mostly GUIDs, some of them repeated, and now and then something that is not one (upper case, short, arbitrary text).
const anyId = fc.oneof({ weight: 8, arbitrary: guid }, { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });

describe('the set of Entra ids a run has read', () => {
  it('answers like a Set of strings: the same members, size and order of first addition, whatever ids come in', () => {
    fc.assert(
      fc.property(fc.array(anyId, { maxLength: 400 }), fc.array(anyId, { maxLength: 50 }), (added, asked) => {
        const compact = new EntraIdSet();
        const model = new Set<string>();
        for (const id of [...added, ...added.slice(0, 20)]) {
          compact.add(id);
          model.add(id);
        }
        expect(compact.size).toBe(model.size);
        for (const id of [...added, ...asked]) expect(compact.has(id)).toBe(model.has(id));
        expect(new Set(compact)).toEqual(model);
      }),
    );
  });

  it('keeps a hundred thousand ids apart, ids made in sequence included', () => {
    const compact = new EntraIdSet();
    const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    for (let n = 0; n < 100_000; n += 1) compact.add(id(n));
    expect(compact.size).toBe(100_000);
    expect(compact.has(id(99_999))).toBe(true);
    expect(compact.has(id(100_000))).toBe(false);
    expect(compact.has(id(0xabc).toUpperCase())).toBe(false);
  });
});
