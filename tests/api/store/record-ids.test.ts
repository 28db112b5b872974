import { newRecordId } from '@users-sync/api/store/record-ids';

describe('ids of records written in bulk', () => {
  it('are version 7 UUIDs', () => {
    expect(newRecordId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sort in the order they were made, even thousands within one millisecond, so indexes on them grow at their end', () => {
    const ids = Array.from({ length: 20_000 }, () => newRecordId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('end with random bits, different for every id (the time and counter alone would be guessable)', () => {
    const ids = Array.from({ length: 5_000 }, () => newRecordId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const tails = ids.map((id) => id.slice(19));
    expect(new Set(tails).size).toBe(tails.length);
    // 62 random bits: every hex digit after the variant shows up, in every position.
    for (const position of [1, 2, 3, 5, 16]) expect(new Set(tails.map((tail) => tail[position])).size).toBe(16);
  });

  it('begin with the time they were made', () => {
    const before = Date.now();
    const id = newRecordId();
    const millis = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    // A burst may have borrowed a few milliseconds ahead; never one from the past.
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThan(before + 60_000);
  });
});
