import { eachConcurrently } from '@users-sync/api/sync/sync-round';

/** Partitions and groups are read side by side: one failing ends the run, and the others stop reading. */
describe('reads side by side', () => {
  it('stops the other readers as soon as one fails, and throws the first failure once they have stopped', async () => {
    const pagesRead: Record<string, number> = { a: 0, b: 0, c: 0 };
    const stopped: string[] = [];
    const reading = eachConcurrently(['a', 'b', 'c'], 3, undefined, async (partition, signal) => {
      if (partition === 'b') {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('Graph kept throttling partition b');
      }
      for (let page = 0; page < 1000; page += 1) {
        if (signal.aborted) {
          stopped.push(partition);
          throw signal.reason;
        }
        pagesRead[partition]! += 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    await expect(reading).rejects.toThrow('Graph kept throttling partition b');
    expect(stopped.sort()).toEqual(['a', 'c']);
    expect(pagesRead.a).toBeLessThan(1000);
  });

  it('starts no further item after a failure', async () => {
    const started: number[] = [];
    await expect(
      eachConcurrently([1, 2, 3, 4, 5], 1, undefined, async (item) => {
        started.push(item);
        if (item === 2) throw new Error('failed');
      }),
    ).rejects.toThrow('failed');
    expect(started).toEqual([1, 2]);
  });

  it('passes on a cancellation of the run to every reader', async () => {
    const run = new AbortController();
    const seen: boolean[] = [];
    const reading = eachConcurrently([1, 2], 2, run.signal, async (_item, signal) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(signal.aborted);
    });
    run.abort();
    await reading;
    expect(seen).toEqual([true, true]);
  });
});
