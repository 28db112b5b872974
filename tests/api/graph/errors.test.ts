import { DeltaTokenExpiredError, GraphAuthenticationError, GraphError, type GraphReaderOptions } from '@users-sync/api/graph';
import { fixedTokens, graphError, recordingClock, ScriptedGraph } from './scripted-graph';

describe('Graph errors', () => {
  let graph: ScriptedGraph;
  beforeAll(async () => {
    graph = await ScriptedGraph.start();
  });
  afterAll(() => graph.close());

  const reader = (extra: Partial<GraphReaderOptions> = {}) => graph.reader({ clock: recordingClock(), ...extra });

  it("turns Graph's error body into a GraphError with status, code, message and request id", async () => {
    graph.answerInTurn({ status: 404, body: graphError('Request_ResourceNotFound', "Resource 'x' does not exist.", 'abc-123') });
    const failure = await reader().get('/users/x').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GraphError);
    expect(failure).toMatchObject({ status: 404, code: 'Request_ResourceNotFound', requestId: 'abc-123' });
    expect((failure as Error).message).toMatch(/Resource 'x' does not exist/);
    expect((failure as Error).message).toMatch(/contoso\.onmicrosoft\.com/);
  });

  it('takes the request id from the header when the body has none, and survives a non-JSON body', async () => {
    graph.answerInTurn({ status: 500, body: 'upstream exploded', headers: { 'content-type': 'text/plain', 'request-id': 'hdr-9' } });
    await expect(reader().get('/users')).rejects.toMatchObject({ status: 500, code: 'HttpStatus500', requestId: 'hdr-9' });
  });

  it('says the app lacks permission and consent must be granted again on 403 Authorization_RequestDenied', async () => {
    graph.answerInTurn({ status: 403, body: graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.') });
    const failure = await reader().get('/users').catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 403, code: 'Authorization_RequestDenied' });
    expect((failure as Error).message).toMatch(/lacks permission/);
    expect((failure as Error).message).toMatch(/connect Microsoft 365 again/);
  });

  it.each([
    ['410 Gone', { status: 410, body: graphError('Gone', 'Resource has been removed.'), headers: { location: 'https://graph/users/delta?$deltatoken=' } }],
    ['syncStateNotFound', { status: 400, body: graphError('syncStateNotFound', 'The sync state was not found.') }],
    ['resyncRequired', { status: 400, body: graphError('resyncRequired', 'A full resync is required.') }],
  ])('turns %s on a delta link into DeltaTokenExpiredError', async (_name, reply) => {
    graph.answerInTurn(reply);
    const r = reader();
    const failure = await (async () => {
      for await (const page of r.pages(`${graph.url}/v1.0/users/delta?$deltatoken=old`)) void page;
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeltaTokenExpiredError);
    expect(failure).toMatchObject({ status: 410, code: 'DeltaTokenExpired' });
    expect((failure as Error).message).toMatch(/full sync/);
  });

  it('gets a fresh token once on 401 InvalidAuthenticationToken, and succeeds with it', async () => {
    const tokens = fixedTokens();
    graph.answer((req) =>
      req.headers.authorization === 'Bearer token-0'
        ? { status: 401, body: graphError('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.') }
        : { status: 200, body: { id: 'org' } },
    );
    const r = reader({ tokens });
    await expect(r.get('/organization')).resolves.toEqual({ id: 'org' });
    expect(tokens.fresh).toBe(1);
    expect(graph.graphRequests.map((q) => q.headers.authorization)).toEqual(['Bearer token-0', 'Bearer token-1']);
    expect(r.requestCount).toBe(2);
  });

  it('fails after one refresh when Graph keeps refusing the token', async () => {
    const tokens = fixedTokens();
    graph.answerInTurn({ status: 401, body: graphError('InvalidAuthenticationToken', 'Access token validation failure.') });
    const r = reader({ tokens });
    const failure = await r.get('/organization').catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
    expect((failure as Error).message).toMatch(/connect Microsoft 365 again/);
    expect(tokens.fresh).toBe(1);
    expect(r.requestCount).toBe(2);
  });

  it('retries an unreachable login endpoint within the same bounds, then reports it; other token failures at once', async () => {
    let asked = 0;
    const unreachable = { appToken: async () => {
      asked += 1;
      throw new GraphAuthenticationError('network_error', 'Could not reach Microsoft Entra.', 'unreachable');
    } };
    const clock = recordingClock();
    const r = reader({ tokens: unreachable, clock, retry: { maxAttempts: 4, baseDelayMs: 100 } });
    await expect(r.get('/users')).rejects.toMatchObject({ code: 'network_error', reason: 'unreachable' });
    expect(asked).toBe(4);
    expect(clock.sleeps).toHaveLength(3);
    expect(r.requestCount).toBe(0);

    asked = 0;
    const noConsent = { appToken: async () => {
      asked += 1;
      throw new GraphAuthenticationError('AADSTS65001', 'Admin consent has not been granted.', 'consent_missing');
    } };
    await expect(reader({ tokens: noConsent }).get('/users')).rejects.toBeInstanceOf(GraphAuthenticationError);
    expect(asked).toBe(1);
  });

  it('never sends the token to a host other than Graph', async () => {
    graph.answerInTurn({ status: 200, body: { value: [], '@odata.nextLink': 'https://elsewhere.example/v1.0/users?$skiptoken=x' } });
    const r = reader();
    const failure = await (async () => {
      for await (const page of r.pages('/users')) void page;
    })().catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'ForeignUrl' });
    expect(r.requestCount).toBe(1);
  });

  it('reports a malformed page or an item that does not fit the caller’s schema', async () => {
    const { z } = await import('zod');
    graph.answerInTurn({ status: 200, body: { items: [] } });
    await expect(reader().pages('/users')[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'UnexpectedGraphResponse', message: expect.stringMatching(/value/) });

    graph.answerInTurn({ status: 200, body: { value: [{ id: 1 }] } });
    const schema = z.object({ id: z.string() });
    await expect(reader().pages('/users', { schema })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'UnexpectedGraphResponse' });
  });
});
