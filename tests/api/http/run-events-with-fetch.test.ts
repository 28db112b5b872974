import { syncRunEventSchema, type SyncRunEvent } from '@users-sync/api/contract/index';
import { ApiHarness } from './api-harness';

type Run = { id: string; status: string };

/**
 * Reads a run's Server-Sent Events the way the tab does in a browser: `fetch` with the
 * bearer header (EventSource cannot send one), the body read chunk by chunk, events cut
 * at blank lines even when a chunk ends mid-event.
 */
async function followRun(url: string, token: string): Promise<{ events: SyncRunEvent[]; chunks: number; contentType: string | null }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: SyncRunEvent[] = [];
  let buffer = '';
  let chunks = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks += 1;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (data) events.push(syncRunEventSchema.parse(JSON.parse(data.slice(6))));
    }
  }
  return { events, chunks, contentType: res.headers.get('content-type') };
}

describe("a run's live progress, read with fetch and a bearer token", () => {
  let api: ApiHarness;
  let token: string;
  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 120, groups: 1, seed: 17 }, changeNotifications: false });
    token = await api.tokenFor(api.adminUpn);
    await api.consent(token, api.adminUpn);
  });
  afterAll(() => api.stop());

  it('streams progress then one finished event, and ends by itself', async () => {
    const saved = await api.call<{ run: Run }>('PUT', '/api/sync/configuration', { token, body: { scope: { kind: 'all' } } });
    const { events, contentType } = await followRun(`${api.baseUrl}/api/sync/runs/${saved.body.run.id}/events`, token);
    expect(contentType).toContain('text/event-stream');
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.slice(0, -1).every((e) => e.type === 'progress')).toBe(true);
    const last = events[events.length - 1]!;
    expect(last.type).toBe('finished');
    expect(last.run).toMatchObject({ id: saved.body.run.id, status: 'succeeded' });
  });

  it('answers a finished run with its outcome at once', async () => {
    const [run] = (await api.call<{ runs: Run[] }>('GET', '/api/sync/runs', { token })).body.runs;
    const { events } = await followRun(`${api.baseUrl}/api/sync/runs/${run!.id}/events`, token);
    expect(events.map((e) => e.type)).toEqual(['finished']);
  });

  it('needs the bearer header: no token, or a token put in the address, gets a problem instead of a stream', async () => {
    const [run] = (await api.call<{ runs: Run[] }>('GET', '/api/sync/runs', { token })).body.runs;
    const bare = await api.call<{ code: string }>('GET', `/api/sync/runs/${run!.id}/events`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('content-type')).toContain('application/problem+json');
    const inUrl = await api.call('GET', `/api/sync/runs/${run!.id}/events?access_token=${encodeURIComponent(token)}`);
    expect(inUrl.status).toBe(401);
  });
});
