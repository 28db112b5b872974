import { TAB_FRAME_ANCESTORS } from '@users-sync/api/http/security-headers';
import { VALIDATION_TOKEN_MAX_LENGTH } from '@users-sync/api/http/routes/graph-notifications';
import { startStandInEntra, type StandInEntra } from './stand-in-entra';
import { CLIENT_ID, CLIENT_SECRET, NOTIFY_SECRET, protectedRoutes, publicRoutes, samplePath, secretsIn, startSecuredApi, TAB_ASSET, type SecuredApi } from './secured-api';

const tenant = '4f0a8a3e-2f9c-4d41-9a57-0c1f4a4b1c11';

/** The directives of a Content-Security-Policy header, by name. */
function directives(policy: string | null): Record<string, string[]> {
  return Object.fromEntries(
    (policy ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('security headers', () => {
  let entra: StandInEntra;
  let api: SecuredApi;
  let ownerToken: string;
  beforeAll(async () => {
    entra = await startStandInEntra([tenant]);
    api = await startSecuredApi(entra);
    ownerToken = await entra.sign(entra.person(tenant, entra.newObjectId(), 'olivia@contoso.example'), CLIENT_ID);
  });
  afterAll(async () => {
    await api?.stop();
    await entra?.close();
  });

  it('serves the tab under a policy that lets only Teams and Microsoft 365 frame it, runs only our own scripts, and lets MSAL reach Entra', async () => {
    const page = await fetch(`${api.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = directives(page.headers.get('content-security-policy'));
    expect(policy['frame-ancestors']).toEqual([...TAB_FRAME_ANCESTORS]);
    expect(policy['frame-ancestors']).toEqual(expect.arrayContaining(['https://teams.microsoft.com', 'https://*.cloud.microsoft', 'https://*.office.com']));
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['connect-src']).toEqual(expect.arrayContaining(["'self'", new URL(entra.base).origin]));
    expect(policy['frame-src']).toEqual([new URL(entra.base).origin]);
    expect(Object.values(policy).flat()).not.toContain("'unsafe-eval'");
    // Client-side routes are the same page, under the same policy.
    const deepLink = await fetch(`${api.baseUrl}/onboarding/abc`);
    expect(deepLink.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'));
  });

  it('keeps index.html out of shared caches and asks again each time, while hashed assets are cached for good', async () => {
    const page = await fetch(`${api.baseUrl}/`);
    expect(page.headers.get('cache-control')).toBe('private, no-cache');
    const unchanged = await fetch(`${api.baseUrl}/`, { headers: { 'if-modified-since': page.headers.get('last-modified')! } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'));
    const asset = await fetch(`${api.baseUrl}${TAB_ASSET}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('never serves a file from outside the tab build', async () => {
    for (const path of ['/..%2F..%2Fetc%2Fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2F..%2Fpackage.json']) {
      const res = await fetch(`${api.baseUrl}${path}`);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it.each([...publicRoutes, ...protectedRoutes].map(([id, route]) => [id, route.method.toUpperCase(), samplePath(route)] as const))(
    '%s (%s %s) answers with nosniff, no referrer and a policy that loads nothing, and is never cached',
    async (_id, method, path) => {
      const res = await api.call(method, path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      if (path !== '/healthz' && path !== '/api/openapi.json') expect(res.headers.get('cache-control')).toBe('no-store');
    },
  );

  it("carries the same headers on the server's own refusals (a compressed body, an unknown route)", async () => {
    const compressed = await fetch(`${api.baseUrl}/api/onboarding/sessions`, { method: 'POST', headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' }, body: 'x' });
    const unknown = await fetch(`${api.baseUrl}/api/nowhere`, { method: 'DELETE' });
    for (const res of [compressed, unknown]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it.each(protectedRoutes.filter(([, route]) => route.method === 'get' && route.access !== 'bot' && route.access !== 'console').map(([id, route]) => [id, samplePath(route)] as const))(
    '%s (GET %s) answers a signed-in member with Cache-Control: no-store',
    async (_id, path) => {
      const res = await api.call('GET', path, { token: ownerToken });
      expect(res.status).not.toBe(401);
      expect(res.headers.get('cache-control')).toMatch(/^no-store/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    },
  );

  it("echoes Graph's validation token as plain text, not sniffed, and refuses to echo a long one", async () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 7d9f1c2e';
    const echo = await fetch(`${api.baseUrl}/api/graph/notifications?validationToken=${encodeURIComponent(token)}`, { method: 'POST' });
    expect(echo.status).toBe(200);
    expect(echo.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(echo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await echo.text()).toBe(token);
    const longest = await fetch(`${api.baseUrl}/api/graph/lifecycle?validationToken=${'a'.repeat(VALIDATION_TOKEN_MAX_LENGTH)}`, { method: 'POST' });
    expect(longest.status).toBe(200);
    const html = `<script>alert(1)</script>${'a'.repeat(VALIDATION_TOKEN_MAX_LENGTH)}`;
    const tooLong = await fetch(`${api.baseUrl}/api/graph/notifications?validationToken=${encodeURIComponent(html)}`, { method: 'POST' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.headers.get('content-type')).toContain('application/problem+json');
    expect(((await tooLong.json()) as { code: string }).code).toBe('VALIDATION_TOKEN_TOO_LONG');
  });

  it('sends no HSTS over plain http, and HSTS on every answer when PUBLIC_URL is https', async () => {
    expect((await fetch(`${api.baseUrl}/healthz`)).headers.get('strict-transport-security')).toBeNull();
    const overHttps = await startSecuredApi(entra, { publicUrl: 'https://users-sync.contoso.example' });
    try {
      for (const path of ['/healthz', '/', '/api/me', '/api/tab/settings']) {
        expect((await fetch(`${overHttps.baseUrl}${path}`)).headers.get('strict-transport-security')).toBe('max-age=31536000');
      }
    } finally {
      await overHttps.stop();
    }
  });

  it('wrote no token or secret into any log line it produced', () => {
    expect(api.logLines.length).toBeGreaterThan(50);
    expect(secretsIn(api.logLines, [CLIENT_SECRET, NOTIFY_SECRET, ownerToken])).toEqual([]);
  });
});
