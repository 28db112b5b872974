import { Writable } from 'node:stream';
import { close, createHttpServer, createLogger, listen, loggableUrl, PortInUseError } from '@users-sync/api/service';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('HTTP logging and health', () => {
  it('answers /healthz with status and version, and logs each request with its request id', async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'api', level: 'debug', pretty: false }, stream);
    const server = createHttpServer({ service: 'api', version: '1.2.3', logger });
    const port = await listen(server, 0, '127.0.0.1', 'API_PORT');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('abc-123');
      expect(await res.json()).toMatchObject({ status: 'ok', service: 'api', version: '1.2.3' });

      const other = await fetch(`http://127.0.0.1:${port}/nowhere`);
      const generatedId = other.headers.get('x-request-id');
      expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);

      await new Promise((r) => setTimeout(r, 20));
      const requestLines = lines.filter((l) => l.msg === 'request');
      expect(requestLines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ requestId: 'abc-123', url: '/healthz', status: 200 }),
          expect.objectContaining({ requestId: generatedId, url: '/nowhere', status: 404 }),
        ]),
      );
    } finally {
      await close(server);
    }
  });

  it('never writes a secret to the log, even inside a logged object', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'api', level: 'info', pretty: false }, stream);
    logger.info({ microsoft: { clientId: 'visible-id', clientSecret: 's3cr3t-value' }, access_token: 'eyJ-token' }, 'config');
    const text = JSON.stringify(lines);
    expect(text).toContain('visible-id');
    expect(text).not.toContain('s3cr3t-value');
    expect(text).not.toContain('eyJ-token');
  });

  it('says which variable moves the port when the port is taken', async () => {
    const logger = createLogger({ service: 'api', level: 'silent', pretty: false });
    const first = createHttpServer({ service: 'api', version: '0', logger });
    const port = await listen(first, 0, '127.0.0.1', 'API_PORT');
    const second = createHttpServer({ service: 'api', version: '0', logger });
    try {
      const refusal = await listen(second, port, '127.0.0.1', 'API_PORT').catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(PortInUseError);
      expect((refusal as Error).message).toBe(`Port ${port} is already in use. Stop what is using it, or set API_PORT to another port.`);
    } finally {
      await close(first);
    }
  });
});

describe('request lines in the log', () => {
  it('keep the route and harmless parameters but never a consent state, code or token', () => {
    expect(loggableUrl('/api/microsoft/consent/callback?admin_consent=True&tenant=t1&state=eyJhbGciOi.sig&code=abc')).toBe(
      '/api/microsoft/consent/callback?admin_consent=True&tenant=t1&state=%5Bredacted%5D&code=%5Bredacted%5D',
    );
    expect(loggableUrl('/api/employees?search=ann&limit=5')).toBe('/api/employees?search=ann&limit=5');
    expect(loggableUrl('/healthz')).toBe('/healthz');
  });
});

describe('request bodies', () => {
  it('refuses a compressed body before reading it, so a small gzip bomb cannot fill the memory', async () => {
    const { gzipSync } = await import('node:zlib');
    const logger = createLogger({ service: 'api', level: 'silent', pretty: false });
    const server = createHttpServer({ service: 'api', version: '0', logger });
    const restify = (await import('restify')).default;
    server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 }));
    let reached = false;
    server.put('/thing', (_req, res, next) => {
      reached = true;
      res.send(204);
      next();
    });
    const port = await listen(server, 0, '127.0.0.1', 'API_PORT');
    try {
      const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 'a'));
      const res = await fetch(`http://127.0.0.1:${port}/thing`, { method: 'PUT', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { code: string }).code).toBe('CONTENT_ENCODING_UNSUPPORTED');
      expect(reached).toBe(false);
    } finally {
      await close(server);
    }
  });
});
