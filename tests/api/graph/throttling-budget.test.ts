/**
 * Staying inside Graph's resource-unit budget (identity and access throttling,
 * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits):
 * retries bounded by elapsed time and paced by Retry-After, the cost Graph reports read from
 * `x-ms-resource-unit`, requests held back once `x-ms-throttle-limit-percentage` warns, and
 * background runs marked `x-ms-throttle-priority: low`.
 */
import { ResourceUnitPacer, type GraphReaderOptions } from '@users-sync/api/graph';
import { graphError, recordingClock, ScriptedGraph, type ScriptedReply } from './scripted-graph';

const throttled = (retryAfter: string): ScriptedReply => ({ status: 429, body: graphError('TooManyRequests', 'Please retry again later.'), headers: { 'Retry-After': retryAfter } });
const ok = (headers: Record<string, string> = {}): ScriptedReply => ({ status: 200, body: { id: 'org-1' }, headers });

describe('Graph throttling budget', () => {
  let graph: ScriptedGraph;
  beforeAll(async () => {
    graph = await ScriptedGraph.start();
  });
  afterAll(() => graph.close());

  const reader = (extra: Partial<GraphReaderOptions> = {}) => graph.reader({ random: () => 0.5, ...extra });

  it('keeps waiting Retry-After and retrying for as long as the time allowed lasts, however many attempts that takes', async () => {
    const clock = recordingClock();
    graph.answerInTurn(...Array.from({ length: 12 }, () => throttled('0.05')), ok());
    const r = reader({ clock, retry: { maxTotalMs: 60_000 } });
    await expect(r.get('/users')).resolves.toEqual({ id: 'org-1' });
    expect(r.requestCount).toBe(13);
    expect(clock.sleeps).toEqual(Array.from({ length: 12 }, () => 50));
  });

  it('gives up once the waits Graph asks for would pass the time allowed, with the attempts and time in the message', async () => {
    const clock = recordingClock();
    graph.answerInTurn(throttled('20'));
    const r = reader({ clock, retry: { maxTotalMs: 70_000 } });
    const failure = await r.get('/users').catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 429, code: 'TooManyRequests' });
    expect(clock.sleeps).toEqual([20_000, 20_000, 20_000]);
    // 60 s of waits on the recording clock, plus the real time the four requests took (a tenth of a second on a loaded machine).
    expect((failure as Error).message).toMatch(/gave up after 4 attempts in 60(\.[0-9])? s/);
  });

  it('adds up the resource units Graph reports on each answer', async () => {
    graph.answerInTurn(ok({ 'x-ms-resource-unit': '2' }), ok({ 'x-ms-resource-unit': '5' }), ok());
    const r = reader();
    await r.get('/users');
    await r.get('/groups/g/transitiveMembers');
    await r.get('/organization');
    expect(r.resourceUnits).toBe(7);
  });

  it('marks a background reader’s requests low priority, and leaves a person’s unmarked', async () => {
    graph.answerInTurn(ok());
    await reader({ priority: 'low' }).get('/users');
    expect(graph.graphRequests[0]!.headers['x-ms-throttle-priority']).toBe('low');
    graph.answerInTurn(ok());
    await reader().get('/users');
    expect(graph.graphRequests[0]!.headers['x-ms-throttle-priority']).toBeUndefined();
  });

  it('holds the next request of the reader until a Retry-After another request met has passed', async () => {
    const clock = recordingClock();
    graph.answer((req) => (req.url.includes('first') ? throttled('3') : ok()));
    const r = reader({ clock, retry: { maxTotalMs: 1_000 } });
    // The first call gives up (a 3 s wait does not fit in 1 s), but Graph's request stands for the reader.
    await expect(r.get('/users?first')).rejects.toMatchObject({ status: 429 });
    await r.get('/users?second');
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(2_500);
  });
});

describe('Resource-unit pacer', () => {
  const spend = (units: number, share?: number) => new Headers({ 'x-ms-resource-unit': String(units), ...(share === undefined ? {} : { 'x-ms-throttle-limit-percentage': String(share) }) });

  it('lets requests go at once while Graph has not warned', async () => {
    const clock = recordingClock();
    const pacer = new ResourceUnitPacer(clock);
    for (let i = 0; i < 100; i += 1) {
      pacer.record(spend(50));
      await pacer.admit();
    }
    expect(clock.sleeps).toEqual([]);
    expect(pacer.totalUnits).toBe(5_000);
  });

  it('once Graph warns, waits for spent units to leave the window before going over a safe share of the budget', async () => {
    const clock = recordingClock();
    const pacer = new ResourceUnitPacer(clock, { windowMs: 10_000, safeShare: 0.85 });
    for (let i = 0; i < 7; i += 1) pacer.record(spend(100));
    // 800 units in the window at 80% of the budget: the budget is 1,000.
    pacer.record(spend(100, 0.8));
    expect(pacer.learnedBudget).toBe(1_000);
    await pacer.admit();
    expect(clock.sleeps).toEqual([]);
    pacer.record(spend(100));
    await pacer.admit();
    // 900 of 1,000 is above 85%: wait until the first spend has left the 10-second window.
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(9_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(10_000);
  });

  it('learns the budget again from each warning, and forgets it once Graph has not warned for a while', async () => {
    const clock = recordingClock();
    const pacer = new ResourceUnitPacer(clock, { windowMs: 10_000, safeShare: 0.85 });
    // Another reader of the same tenant was spending: a warning after only 80 units of ours.
    pacer.record(spend(80, 0.8));
    expect(pacer.learnedBudget).toBe(100);
    await clock.sleep(11_000);
    pacer.record(spend(900, 0.9));
    expect(pacer.learnedBudget).toBe(1_000);
    await clock.sleep(31_000);
    await pacer.admit();
    expect(pacer.learnedBudget).toBeUndefined();
  });

  it('holds every request for as long as Graph asked', async () => {
    const clock = recordingClock();
    const pacer = new ResourceUnitPacer(clock);
    pacer.pause(2_500);
    await pacer.admit();
    await pacer.admit();
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(2_400);
  });
});
