import net from 'node:net';
import { createGraphReader, GraphError, retryAfterMs, type GraphReaderOptions } from '@users-sync/api/graph';
import { fixedTokens, graphError, recordingClock, ScriptedGraph, type ScriptedReply } from './scripted-graph';

const throttled = (retryAfter?: string): ScriptedReply => ({
  status: 429,
  body: graphError('TooManyRequests', 'Please retry again later.'),
  headers: retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
});
const ok = (body: unknown = { id: 'org-1' }) => ({ status: 200, body });

describe('Graph retries', () => {
  let graph: ScriptedGraph;
  beforeAll(async () => {
    graph = await ScriptedGraph.start();
  });
  afterAll(() => graph.close());

  const reader = (extra: Partial<GraphReaderOptions> = {}) =>
    graph.reader({ retry: { maxAttempts: 5, maxTotalMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000 }, random: () => 0.5, ...extra });

  it('waits the fractional Retry-After Graph gives on a 429, then reads', async () => {
    const clock = recordingClock();
    graph.answerInTurn(throttled('0.2'), ok());
    const r = reader({ clock });
    await expect(r.get('/organization')).resolves.toEqual({ id: 'org-1' });
    expect(clock.sleeps).toEqual([200]);
    expect(r.requestCount).toBe(2);
  });

  it('really waits a short Retry-After on the system clock', async () => {
    graph.answerInTurn(throttled('0.2'), ok());
    const started = Date.now();
    await reader().get('/organization');
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const clock = recordingClock();
    graph.answer((_req, index) => (index === 0 ? throttled(new Date(clock.now() + 3_000).toUTCString()) : ok()));
    await reader({ clock }).get('/organization');
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(1_900);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(3_000);
  });

  it('backs off exponentially, with jitter, on a 503 or 504 without Retry-After', async () => {
    const clock = recordingClock();
    graph.answerInTurn({ status: 503, body: graphError('serviceNotAvailable', 'busy') }, { status: 504, body: '' }, { status: 503 }, ok());
    const r = reader({ clock });
    await expect(r.get('/organization')).resolves.toEqual({ id: 'org-1' });
    // Steps 100, 200, 400 ms; with random() = 0.5 each wait is 3/4 of its step.
    expect(clock.sleeps).toEqual([75, 150, 300]);
    expect(r.requestCount).toBe(4);

    const spread = new Set<number>();
    for (const value of [0, 0.3, 0.99]) {
      const c = recordingClock();
      graph.answerInTurn({ status: 503 }, ok());
      await reader({ clock: c, random: () => value }).get('/organization');
      spread.add(c.sleeps[0]!);
    }
    expect([...spread].every((ms) => ms >= 50 && ms <= 100)).toBe(true);
    expect(spread.size).toBe(3);
  });

  it('retries a dropped connection and a connection cut in the middle of the body', async () => {
    const clock = recordingClock();
    graph.answerInTurn('drop', 'cut', ok());
    const r = reader({ clock });
    await expect(r.get('/organization')).resolves.toEqual({ id: 'org-1' });
    expect(r.requestCount).toBe(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('gives up after maxAttempts with a GraphError carrying Graph’s code', async () => {
    graph.answerInTurn(throttled('0.01'));
    const r = reader({ clock: recordingClock(), retry: { maxAttempts: 3 } });
    const failure = await r.get('/users').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphError);
    expect(failure).toMatchObject({ status: 429, code: 'TooManyRequests', requestId: 'req-1' });
    expect((failure as Error).message).toMatch(/gave up after 3 attempts/);
    expect((failure as Error).message).toMatch(/GET \/v1\.0\/users/);
    expect(r.requestCount).toBe(3);
    expect(graph.graphRequests).toHaveLength(3);
  });

  it('does not start a wait that would cross maxTotalMs', async () => {
    const clock = recordingClock();
    graph.answerInTurn(throttled('1'), throttled('10'), ok());
    const r = reader({ clock, retry: { maxTotalMs: 5_000 } });
    const failure = await r.get('/users').catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 429, code: 'TooManyRequests' });
    expect(clock.sleeps).toEqual([1_000]);
    expect(r.requestCount).toBe(2);
  });

  it('bounds total time on the real clock too', async () => {
    graph.answerInTurn({ status: 503 });
    const started = Date.now();
    const failure = await reader({ retry: { maxAttempts: 100, maxTotalMs: 400, baseDelayMs: 50 } }).get('/users').catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 503 });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('gives up on a connection that keeps dropping with a transport error', async () => {
    graph.answerInTurn('drop');
    const r = reader({ clock: recordingClock(), retry: { maxAttempts: 2 } });
    const failure = await r.get('/users').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphError);
    expect(failure).toMatchObject({ status: 0, code: 'GraphConnectionFailed' });
    expect((failure as Error).message).toMatch(/gave up after 2 attempts/);
  });

  it('does not retry what retrying cannot fix', async () => {
    graph.answerInTurn({ status: 400, body: graphError('Request_BadRequest', "Invalid page size specified: '1000'.") }, ok());
    const r = reader({ clock: recordingClock() });
    await expect(r.get('/users?$top=1000')).rejects.toMatchObject({ status: 400, code: 'Request_BadRequest' });
    expect(r.requestCount).toBe(1);
  });

  it('fails at once, naming the variable to check, when nothing listens at the Graph base URL', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = createGraphReader({ tenantId: 't', clientId: 'a', clientSecret: 's', authorityHost: graph.url, graphBaseUrl: `https://127.0.0.1:${port}`, tokens: fixedTokens() });
    await expect(r.get('/users')).rejects.toMatchObject({ code: 'GraphUnreachable', message: expect.stringMatching(/GRAPH_BASE_URL/) });
  });

  it('reads Retry-After values as Graph sends them', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('2.128', now)).toBe(2_128);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('Graph concurrency and cancellation', () => {
  let graph: ScriptedGraph;
  beforeAll(async () => {
    graph = await ScriptedGraph.start();
  });
  afterAll(() => graph.close());

  const reader = (extra: Partial<GraphReaderOptions> = {}) =>
    createGraphReader({ tenantId: 't', clientId: 'a', clientSecret: 's', authorityHost: graph.url, graphBaseUrl: graph.url, tokens: fixedTokens(), ...extra });

  it('keeps at most maxConcurrency requests on the wire', async () => {
    graph.answer(async () => {
      await new Promise((r) => setTimeout(r, 40));
      return ok();
    });
    const r = reader({ maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 7 }, (_, i) => r.get(`/users/${i}`)));
    expect(graph.maxInFlight).toBe(2);
    expect(r.requestCount).toBe(7);
  });

  it('aborts the request in flight when the call’s signal fires', async () => {
    graph.answer(() => ({ hold: true }));
    const controller = new AbortController();
    const pending = reader().get('/users', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(pending).rejects.toMatchObject({ code: 'RequestAborted' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('aborts a retry wait when the reader’s signal fires', async () => {
    graph.answerInTurn(throttled('30'));
    const controller = new AbortController();
    const r = reader({ signal: controller.signal });
    const pending = r.get('/users');
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ code: 'RequestAborted' });
    expect(r.requestCount).toBe(1);
  });

  it('retries a request that hangs past the request timeout', async () => {
    // Keyed on this test's own path: a request an earlier test aborted may still reach the server.
    let attempts = 0;
    graph.answer((req) => (req.url.includes('hangs=once') && (attempts += 1) === 1 ? { hold: true } : ok()));
    const r = reader({ requestTimeoutMs: 1_000, retry: { baseDelayMs: 10 } });
    await expect(r.get('/users?hangs=once')).resolves.toEqual({ id: 'org-1' });
    expect(attempts).toBe(2);
    expect(r.requestCount).toBe(2);
  });
});
