import { createHash } from 'node:crypto';
import { ApiHarness, eventually, type ApiAnswer } from '../http/api-harness';

type Link = { id: string; email: string; state: string; createdBy: { name: string; email: string }; openedAt: string | null; signedInEmail: string | null; consentedAt: string | null; completedAt: string | null; delivery: { status: string; reason: string | null } };
type Console = { mode: string; microsoftAccount: { email: string; tenantId: string } | null; connection: { status: string }; runIds: string[]; contact: { name: string; email: string }; link: { state: string } };
type Problem = { code: string; detail: string };
type Run = { id: string; status: string; trigger: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "Share Onboarding Link", its whole life over real HTTP: the owner (not a Microsoft admin)
 * shares a link; the Microsoft admin opens it without Teams and without a Users Sync
 * account, signs in, consents, picks the scope and syncs; then the console is read-only.
 */
describe('Share Onboarding Link: the link’s whole life and every refusal', () => {
  let api: ApiHarness;
  let clockOffsetMs = 0;
  let ownerToken: string;
  let ownerEmail: string;
  let adminToken: string;

  const asConsole = (session: string) => ({ authorization: `Onboarding ${session}` });
  const consoleCall = <T>(method: string, route: string, session: string, body?: unknown): Promise<ApiAnswer<T>> => api.call<T>(method, route, { headers: asConsole(session), ...(body !== undefined ? { body } : {}) });
  const share = (email: string) => api.call<{ link: Link; url: string }>('POST', '/api/onboarding/links', { token: ownerToken, body: { email } });
  const secretOf = (url: string) => new URL(url).hash.slice(1);
  const open = (token: string) => api.call<{ sessionToken: string; expiresAt: string }>('POST', '/api/onboarding/sessions', { body: { token } });
  const linkNamed = async (id: string) => (await api.call<{ links: Link[] }>('GET', '/api/onboarding/links', { token: ownerToken })).body.links.find((l) => l.id === id)!;

  beforeAll(async () => {
    api = await ApiHarness.start({ changeNotifications: false, overrides: { clock: () => new Date(Date.now() + clockOffsetMs) } });
    // The account owner is a security-awareness manager, not a Microsoft admin: they sign in first and own the account.
    const domain = api.adminUpn.split('@')[1]!;
    ownerEmail = `olivia.owner@${domain}`;
    await api.emulator.control.createUser(api.tenant.tenantId, { displayName: 'Olivia Owner', userPrincipalName: ownerEmail, mail: ownerEmail, accountEnabled: true });
    ownerToken = await api.tokenFor(ownerEmail);
    expect((await api.call<{ user: { role: string } }>('GET', '/api/me', { token: ownerToken })).body.user.role).toBe('owner');
    adminToken = await api.tokenFor(api.adminUpn);
  });
  afterAll(() => api.stop());

  let linkId: string;
  let secret: string;
  let session: string;

  it('generates a 15-day link bound to the admin’s email, with a secret only its hash is kept of, and says to send it by hand when Teams cannot deliver it', async () => {
    const created = await share(api.adminUpn.toUpperCase());
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const url = new URL(created.body.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${api.baseUrl}/onboarding`);
    secret = secretOf(created.body.url);
    // 32 random bytes in base64url: 256 bits, more than the 128 asked for.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    linkId = created.body.link.id;
    expect(created.body.link).toMatchObject({ email: api.adminUpn.toLowerCase(), state: 'pending', createdBy: { name: 'Olivia Owner', email: ownerEmail }, delivery: { status: 'not_delivered' } });
    // Why it did not reach them; the dialog says what to do.
    expect(created.body.link.delivery.reason).toMatch(/cannot send messages in Teams/);
    const lifetime = Date.parse((created.body.link as unknown as { expiresAt: string }).expiresAt) - Date.parse((created.body.link as unknown as { createdAt: string }).createdAt);
    expect(lifetime).toBe(15 * DAY_MS);

    const rows = await api.app.services.store.db.selectFrom('onboarding_links').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(secret);
  });

  it('refuses a link for something that is not an email, and lets no console make links', async () => {
    const bad = await share('not an email');
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('opens a short console session from the secret alone — no Teams, no Users Sync account — and the list shows the link opened', async () => {
    const opened = await open(secret);
    expect(opened.status).toBe(201);
    session = opened.body.sessionToken;
    expect(Date.parse(opened.body.expiresAt) - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    const view = await consoleCall<Console>('GET', '/api/onboarding/console', session);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ mode: 'setup', microsoftAccount: null, connection: { status: 'not_connected' }, contact: { name: 'Olivia Owner', email: ownerEmail } });
    expect((await linkNamed(linkId)).state).toBe('opened');
  });

  it.each([
    ['GET', '/api/employees'],
    ['GET', '/api/employees/export.csv'],
    ['GET', '/api/sync/runs'],
    ['GET', '/api/onboarding/links'],
    ['POST', '/api/onboarding/links'],
    ['GET', '/api/me'],
    ['GET', '/api/account/people'],
    ['DELETE', '/api/microsoft/connection'],
  ])('answers 403 to the console on %s %s, outside the Microsoft setup', async (method, route) => {
    const answer = await consoleCall<Problem>(method, route, session, method === 'POST' ? { email: 'x@example.com' } : undefined);
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('ONBOARDING_CONSOLE_NOT_ALLOWED');
  });

  it('refuses a forged or tampered session, and a member route does not take a console for a member', async () => {
    const tampered = `${session.slice(0, -4)}AAAA`;
    expect((await consoleCall<Problem>('GET', '/api/onboarding/console', tampered)).body.code).toBe('ONBOARDING_SESSION_INVALID');
    expect((await api.call<Problem>('GET', '/api/onboarding/console', { token: ownerToken })).status).toBe(401);
  });

  it('asks for a Microsoft sign-in before consent, and refuses another tenant’s account and another person’s', async () => {
    const early = await consoleCall<Problem>('POST', '/api/microsoft/consent', session);
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('ONBOARDING_SIGN_IN_REQUIRED');

    const elsewhere = await api.emulator.control.createTenant({ users: 3, groups: 0, seed: 5, consentedApps: [] });
    const outsider = await api.tokenFor(elsewhere.admin!.userPrincipalName, { tenantId: elsewhere.tenantId });
    const otherTenant = await consoleCall<Problem>('POST', '/api/onboarding/console/sign-in', session, { accessToken: outsider });
    expect(otherTenant.status).toBe(403);
    expect(otherTenant.body.code).toBe('ONBOARDING_WRONG_TENANT');
    expect(otherTenant.body.detail).toContain('Olivia Owner');

    const otherPerson = await consoleCall<Problem>('POST', '/api/onboarding/console/sign-in', session, { accessToken: ownerToken });
    expect(otherPerson.status).toBe(403);
    expect(otherPerson.body.code).toBe('ONBOARDING_WRONG_ACCOUNT');
    expect(otherPerson.body.detail).toContain(api.adminUpn.toLowerCase());
  });

  it('signs the Microsoft admin in, then sends them to Entra’s consent for the organization’s tenant and back to the console', async () => {
    const signedIn = await consoleCall<{ session: { sessionToken: string }; console: Console }>('POST', '/api/onboarding/console/sign-in', session, { accessToken: adminToken });
    expect(signedIn.status).toBe(200);
    session = signedIn.body.session.sessionToken;
    expect(signedIn.body.console.microsoftAccount).toMatchObject({ email: api.adminUpn, tenantId: api.tenant.tenantId });

    const start = await consoleCall<{ consentUrl: string }>('POST', '/api/microsoft/consent', session);
    expect(start.status).toBe(200);
    expect(start.body.consentUrl).toContain(`/${api.tenant.tenantId}/v2.0/adminconsent`);
    const callback = await api.submitConsentPage(start.body.consentUrl, api.adminUpn, 'accept');
    const back = await api.followCallback(callback);
    // The console kept its session: the redirect carries the outcome, never the link's secret.
    expect(back.pathname).toBe('/onboarding');
    expect(back.searchParams.get('consent')).toBe('connected');
    expect(back.toString()).not.toContain(secret);
    expect((await consoleCall<Console>('GET', '/api/onboarding/console', session)).body.connection.status).toBe('connected');
    expect((await linkNamed(linkId)).consentedAt).not.toBeNull();
  });

  let runId: string;
  it('saves the scope and syncs ("Save changes and sync users"), follows its own run, and the link completes', async () => {
    const saved = await consoleCall<{ run: Run | null }>('PUT', '/api/sync/configuration', session, { scope: { kind: 'all' } });
    expect(saved.status).toBe(200);
    runId = saved.body.run!.id;
    const run = await eventually(async () => {
      const answer = await consoleCall<Run>('GET', `/api/sync/runs/${runId}`, session);
      return answer.body.status === 'queued' || answer.body.status === 'running' ? undefined : answer.body;
    }, 'the console’s run settles');
    expect(run.status).toBe('succeeded');
    expect((await consoleCall<{ counts: { created: number } }>('GET', `/api/sync/runs/${runId}/report`, session)).body.counts.created).toBeGreaterThan(0);

    const view = await consoleCall<Console>('GET', '/api/onboarding/console', session);
    expect(view.body).toMatchObject({ mode: 'read_only', runIds: [runId], link: { state: 'completed' } });
    expect((await linkNamed(linkId))).toMatchObject({ state: 'completed', signedInEmail: api.adminUpn });
  });

  it('is read-only once the setup completed: the results stay readable, the setup steps answer 403', async () => {
    expect((await consoleCall('GET', `/api/sync/runs/${runId}`, session)).status).toBe(200);
    expect((await consoleCall('GET', '/api/sync/configuration', session)).status).toBe(200);
    // The chosen groups are shown by name, so their names stay readable; searching the tenant's groups does not.
    const chosen = (await consoleCall<{ scope: { groupIds?: string[] } }>('GET', '/api/sync/configuration', session)).body.scope.groupIds ?? ['00000000-0000-0000-0000-000000000000'];
    expect((await consoleCall('GET', `/api/microsoft/groups?ids=${chosen.join(',')}`, session)).status).toBe(200);
    expect((await consoleCall<Problem>('GET', '/api/microsoft/groups?search=a', session)).body.code).toBe('ONBOARDING_SETUP_COMPLETED');
    const again = await consoleCall<Problem>('PUT', '/api/sync/configuration', session, { scope: { kind: 'all' } });
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('ONBOARDING_SETUP_COMPLETED');
    expect((await consoleCall<Problem>('POST', '/api/sync/runs', session, {})).body.code).toBe('ONBOARDING_SETUP_COMPLETED');
  });

  it('shows the console only its own runs: one the owner started is as absent as one that never existed', async () => {
    const owners = await api.call<Run>('POST', '/api/sync/runs', { token: ownerToken, body: { dryRun: true } });
    expect(owners.status).toBe(202);
    await api.settledRun(ownerToken, owners.body.id);
    expect((await consoleCall<Problem>('GET', `/api/sync/runs/${owners.body.id}`, session)).body.code).toBe('RUN_NOT_FOUND');
  });

  it('ends the console at once when the link is revoked, and tells whom to ask', async () => {
    const created = await share('it.admin@example.com');
    const opened = await open(secretOf(created.body.url));
    const revoked = await api.call<Link>('POST', `/api/onboarding/links/${created.body.link.id}/revoke`, { token: ownerToken });
    expect(revoked.body).toMatchObject({ state: 'revoked' });

    const ended = await consoleCall<Problem>('GET', '/api/onboarding/console', opened.body.sessionToken);
    expect(ended.status).toBe(410);
    expect(ended.body.code).toBe('ONBOARDING_LINK_REVOKED');
    expect(ended.body.detail).toContain(`Olivia Owner (${ownerEmail})`);
    const reopened = await open(secretOf(created.body.url));
    expect(reopened.status).toBe(410);
    const described = await api.call<{ state: string; contact: { name: string; email: string } }>('POST', '/api/onboarding/link-description', { body: { token: secretOf(created.body.url) } });
    expect(described.body).toMatchObject({ state: 'revoked', contact: { name: 'Olivia Owner', email: ownerEmail } });
    expect((await api.call<Problem>('POST', `/api/onboarding/links/${created.body.link.id}/revoke`, { token: ownerToken })).status).toBe(409);
  });

  it('describes an unknown link without a stack trace, saying to ask whoever sent it', async () => {
    const unknown = await open('this-is-not-a-link-secret');
    expect(unknown.status).toBe(404);
    expect((unknown.body as unknown as Problem).code).toBe('ONBOARDING_LINK_UNKNOWN');
    const described = await api.call<{ state: string; contact: unknown; message: string }>('POST', '/api/onboarding/link-description', { body: { token: 'this-is-not-a-link-secret' } });
    expect(described.body).toMatchObject({ state: 'unknown', contact: null });
    expect(described.body.message).toMatch(/Ask the person who sent it/);
  });

  it('expires after 15 days (clock moved): the console ends, opening is refused with whom to ask, the list says expired', async () => {
    const created = await share('later.admin@example.com');
    const opened = await open(secretOf(created.body.url));
    expect(opened.status).toBe(201);
    clockOffsetMs = 15 * DAY_MS + 60_000;
    try {
      const ended = await consoleCall<Problem>('GET', '/api/onboarding/console', opened.body.sessionToken);
      expect(ended.status).toBe(401);
      const reopened = await open(secretOf(created.body.url));
      expect(reopened.status).toBe(410);
      expect((reopened.body as unknown as Problem).code).toBe('ONBOARDING_LINK_EXPIRED');
      expect((reopened.body as unknown as Problem).detail).toContain(ownerEmail);
      expect((await linkNamed(created.body.link.id)).state).toBe('expired');
      // A completed link stays "completed" in the list after it ran out.
      expect((await linkNamed(linkId)).state).toBe('completed');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('throttles guessing per client address: past ten refusals even a right secret waits, with Retry-After', async () => {
    const created = await share('patient.admin@example.com');
    let last: ApiAnswer<Problem> | undefined;
    for (let i = 0; i < 12; i += 1) last = await api.call<Problem>('POST', '/api/onboarding/sessions', { body: { token: `guess-${i}` } });
    expect(last!.status).toBe(429);
    expect(last!.body.code).toBe('ONBOARDING_TOO_MANY_ATTEMPTS');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await open(secretOf(created.body.url))).status).toBe(429);
  });
});
