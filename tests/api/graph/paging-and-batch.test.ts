import { z } from 'zod';
import { createGraphReader, type GraphPage, type GraphReaderOptions } from '@users-sync/api/graph';
import { fixedTokens, graphError, recordingClock, ScriptedGraph } from './scripted-graph';

const user = z.object({ id: z.string(), displayName: z.string().optional() });
type User = z.infer<typeof user>;

describe('Graph paging', () => {
  let graph: ScriptedGraph;
  beforeAll(async () => {
    graph = await ScriptedGraph.start();
  });
  afterAll(() => graph.close());

  const reader = (extra: Partial<GraphReaderOptions> = {}) => graph.reader({ clock: recordingClock(), ...extra });

  it('follows nextLinks exactly as Graph wrote them, to the deltaLink, resending headers on every page', async () => {
    // An odd but legal nextLink: parameters out of the usual order, encoded characters.
    const second = `${graph.url}/v1.0/users/delta?$skiptoken=a%2Bb%3D%3D&$select=id,displayName`;
    const third = `${graph.url}/v1.0/users/delta?$skiptoken=empty-page`;
    const delta = `${graph.url}/v1.0/users/delta?$deltatoken=done`;
    graph.answer((req) => {
      if (req.url === '/v1.0/users/delta?$select=id,displayName') return { status: 200, body: { '@odata.count': 3, value: [{ id: '1' }, { id: '2' }], '@odata.nextLink': second } };
      if (`${graph.url}${req.url}` === second) return { status: 200, body: { value: [], '@odata.nextLink': third } };
      if (`${graph.url}${req.url}` === third) return { status: 200, body: { value: [{ id: '3', displayName: 'C', extra: true }], '@odata.deltaLink': delta } };
      return { status: 400, body: graphError('BadLink', req.url) };
    });
    const r = reader();
    const pages: Array<GraphPage<User>> = [];
    for await (const page of r.pages('/users/delta?$select=id,displayName', { schema: user, headers: { ConsistencyLevel: 'eventual' } })) pages.push(page);

    expect(pages.map((p) => p.value.map((u) => u.id))).toEqual([['1', '2'], [], ['3']]);
    expect(pages[0]).toMatchObject({ count: 3, nextLink: second });
    expect(pages[1]).toMatchObject({ nextLink: third });
    expect(pages[2]).toEqual({ value: [{ id: '3', displayName: 'C' }], deltaLink: delta });
    expect(graph.graphRequests.map((q) => `${graph.url}${q.url}`)).toEqual([`${graph.url}/v1.0/users/delta?$select=id,displayName`, second, third]);
    expect(graph.graphRequests.every((q) => q.headers.consistencylevel === 'eventual')).toBe(true);
    expect(graph.graphRequests.every((q) => q.headers.authorization === 'Bearer token-0')).toBe(true);
    expect(r.requestCount).toBe(3);
  });

  it('retries a throttled page without losing or repeating pages', async () => {
    const next = `${graph.url}/v1.0/users?$skiptoken=2`;
    let throttledOnce = false;
    graph.answer((req) => {
      if (req.url === '/v1.0/users?$top=999') return { status: 200, body: { value: [{ id: '1' }], '@odata.nextLink': next } };
      if (!throttledOnce) {
        throttledOnce = true;
        return { status: 429, body: graphError('TooManyRequests', 'Please retry again later.'), headers: { 'Retry-After': '0.05' } };
      }
      return { status: 200, body: { value: [{ id: '2' }] } };
    });
    const ids: string[] = [];
    const r = reader();
    for await (const page of r.pages<User>('/users?$top=999')) ids.push(...page.value.map((u) => u.id));
    expect(ids).toEqual(['1', '2']);
    expect(r.requestCount).toBe(3);
  });

  it('refuses a nextLink that points at the page it is on', async () => {
    graph.answer((req) => ({ status: 200, body: { value: [], '@odata.nextLink': `${graph.url}${req.url}` } }));
    const r = reader();
    let pages = 0;
    await expect(
      (async () => {
        for await (const page of r.pages(`${graph.url}/v1.0/users?$skiptoken=same`)) {
          void page;
          pages += 1;
        }
      })(),
    ).rejects.toMatchObject({ code: 'UnexpectedGraphResponse' });
    expect(pages).toBe(0);
  });
});

describe('Graph $batch', () => {
  let graph: ScriptedGraph;
  beforeAll(async () => {
    graph = await ScriptedGraph.start();
  });
  afterAll(() => graph.close());

  interface BatchBody {
    requests: Array<{ id: string; method: string; url: string; headers?: Record<string, string> }>;
  }
  const batchBodies = () => graph.graphRequests.filter((q) => q.url === '/v1.0/$batch').map((q) => JSON.parse(q.body) as BatchBody);

  it('sends at most 20 GETs a call with unique ids and relative urls, and returns results in request order', async () => {
    graph.answer((req) => {
      const { requests } = JSON.parse(req.body) as BatchBody;
      // Answers in reverse order, as Graph may.
      const responses = [...requests].reverse().map((item) =>
        item.url.endsWith('/missing')
          ? { id: item.id, status: 404, headers: { 'Content-Type': 'application/json' }, body: graphError('Request_ResourceNotFound', 'gone') }
          : { id: item.id, status: 200, headers: { 'Content-Type': 'application/json' }, body: { id: item.url.split('/').pop() } },
      );
      return { status: 200, body: { responses } };
    });
    const paths = Array.from({ length: 45 }, (_, i) => (i === 7 ? '/users/missing' : `/users/u${i}`));
    const r = createGraphReader({ tenantId: 't', clientId: 'a', clientSecret: 's', authorityHost: graph.url, graphBaseUrl: graph.url, tokens: fixedTokens() });
    const results = await r.batch(paths, { schema: z.object({ id: z.string() }) });

    expect(results).toHaveLength(45);
    expect(results[0]).toEqual({ ok: true, status: 200, body: { id: 'u0' } });
    expect(results[44]).toEqual({ ok: true, status: 200, body: { id: 'u44' } });
    expect(results[7]).toMatchObject({ ok: false, status: 404, error: { code: 'Request_ResourceNotFound' } });
    const bodies = batchBodies();
    expect(bodies.map((b) => b.requests.length).sort((a, b) => a - b)).toEqual([5, 20, 20]);
    for (const body of bodies) {
      expect(new Set(body.requests.map((q) => q.id)).size).toBe(body.requests.length);
      expect(body.requests.every((q) => q.method === 'GET' && q.url.startsWith('/users/'))).toBe(true);
    }
    expect(r.requestCount).toBe(3);
  });

  it('sends again only the items Graph throttled, after the longest Retry-After among them', async () => {
    const throttledOnce = new Set<string>();
    graph.answer((req) => {
      const { requests } = JSON.parse(req.body) as BatchBody;
      const responses = requests.map((item) => {
        if ((item.url === '/users/b' || item.url === '/users/c') && !throttledOnce.has(item.url)) {
          throttledOnce.add(item.url);
          return { id: item.id, status: 429, headers: { 'Retry-After': item.url === '/users/b' ? '1.5' : '0.5' }, body: graphError('TooManyRequests', 'Please retry again later.') };
        }
        return { id: item.id, status: 200, body: { id: item.url.slice(7) } };
      });
      return { status: 200, body: { responses } };
    });
    const clock = recordingClock();
    const r = createGraphReader({ tenantId: 't', clientId: 'a', clientSecret: 's', authorityHost: graph.url, graphBaseUrl: graph.url, tokens: fixedTokens(), clock });
    const results = await r.batch<{ id: string }>(['/users/a', `${graph.url}/v1.0/users/b`, 'users/c', '/users/d']);

    expect(results.map((x) => (x.ok ? x.body.id : x.status))).toEqual(['a', 'b', 'c', 'd']);
    expect(clock.sleeps).toEqual([1_500]);
    const bodies = batchBodies();
    expect(bodies.map((b) => b.requests.map((q) => q.url))).toEqual([['/users/a', '/users/b', '/users/c', '/users/d'], ['/users/b', '/users/c']]);
    expect(bodies[1]!.requests.map((q) => q.id)).toEqual(['2', '3']);
  });

  it('reports items still throttled when the retry budget runs out, keeping the others', async () => {
    graph.answer((req) => {
      const { requests } = JSON.parse(req.body) as BatchBody;
      return {
        status: 200,
        body: {
          responses: requests.map((item) =>
            item.url === '/users/hot'
              ? { id: item.id, status: 429, headers: { 'Retry-After': '1' }, body: graphError('TooManyRequests', 'Please retry again later.') }
              : { id: item.id, status: 200, body: { id: 'ok' } },
          ),
        },
      };
    });
    const r = createGraphReader({ tenantId: 't', clientId: 'a', clientSecret: 's', authorityHost: graph.url, graphBaseUrl: graph.url, tokens: fixedTokens(), clock: recordingClock(), retry: { maxAttempts: 3 } });
    const results = await r.batch(['/users/hot', '/users/cold']);
    expect(results[1]).toMatchObject({ ok: true });
    expect(results[0]).toMatchObject({ ok: false, status: 429, error: { code: 'TooManyRequests', message: expect.stringMatching(/gave up after 3 attempts/) } });
    expect(r.requestCount).toBe(3);
  });
});
