import { createHash, randomBytes } from 'node:crypto';
import { loadApiConfig } from '@users-sync/api/config';
import { tabSettings } from '@users-sync/api/http/routes/tab-settings';
import { tabSettingsSchema } from '@users-sync/api/contract/index';
import { ApiHarness } from './api-harness';

describe("the tab's public sign-in settings", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await ApiHarness.start({ tenant: { users: 5, groups: 1, seed: 3 }, changeNotifications: false });
  });
  afterAll(() => api.stop());

  it('are served without a token and name the emulator, the app, the api scope and the way back to the tab', async () => {
    const answer = await api.call('GET', '/api/tab/settings');
    expect(answer.status).toBe(200);
    const settings = tabSettingsSchema.parse(answer.body);
    expect(settings).toEqual({
      clientId: api.usersSync.clientId,
      authority: `${api.emulator.url}/organizations`,
      knownAuthorities: [new URL(api.emulator.url).host],
      apiScope: `api://${api.usersSync.clientId}/access_as_user`,
      redirectUri: `${api.baseUrl}/`,
      emulator: true,
    });
  });

  // What msal-browser does with these settings (authorization code + PKCE, redirect to the
  // tab, code redeemed from the page's origin), done by hand: the token it gets opens the api.
  it('let a person sign in from the browser with them alone and call the api with the token', async () => {
    const settings = tabSettingsSchema.parse((await api.call('GET', '/api/tab/settings')).body);
    const origin = new URL(settings.redirectUri).origin;
    const discovery = await fetch(`${settings.authority}/v2.0/.well-known/openid-configuration`, { headers: { origin } });
    expect(discovery.headers.get('access-control-allow-origin')).toBe('*');
    const { authorization_endpoint: authorize, token_endpoint: tokenEndpoint } = (await discovery.json()) as { authorization_endpoint: string; token_endpoint: string };
    expect(settings.knownAuthorities).toContain(new URL(authorize).host);

    const verifier = randomBytes(32).toString('base64url');
    const scope = `${settings.apiScope} openid profile offline_access`;
    const query = {
      client_id: settings.clientId!,
      response_type: 'code',
      response_mode: 'fragment',
      redirect_uri: settings.redirectUri,
      scope,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 'tab-state',
      nonce: 'tab-nonce',
    };
    const signIn = await fetch(`${authorize}?${new URLSearchParams(query)}`);
    expect(signIn.status).toBe(200);
    const signedIn = await fetch(`${authorize}?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: api.adminUpn }),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(302);
    const back = new URL(signedIn.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(settings.redirectUri);
    const code = new URLSearchParams(back.hash.slice(1)).get('code')!;

    const redeemed = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ client_id: settings.clientId!, grant_type: 'authorization_code', code, redirect_uri: settings.redirectUri, code_verifier: verifier, scope }),
    });
    expect(redeemed.status).toBe(200);
    expect(redeemed.headers.get('access-control-allow-origin')).toBe('*');
    const tokens = (await redeemed.json()) as { access_token: string; id_token: string; refresh_token: string };
    expect(tokens.refresh_token).toBeTruthy();

    const me = await api.call<{ user: { email: string; role: string } }>('GET', '/api/me', { token: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(api.adminUpn);
  });
});

describe('tab settings for the real Microsoft cloud', () => {
  const clientId = '11111111-2222-3333-4444-555555555555';
  const base = { DATA_DIR: '/tmp/unused', MICROSOFT_CLIENT_ID: clientId, MICROSOFT_CLIENT_SECRET: 'secret', PUBLIC_URL: 'https://sync.contoso.com' };

  it("point at Entra's organizations endpoint and ask for the app's default api scope", () => {
    expect(tabSettings(loadApiConfig(base))).toEqual({
      clientId,
      authority: 'https://login.microsoftonline.com/organizations',
      knownAuthorities: ['login.microsoftonline.com'],
      apiScope: `api://${clientId}/access_as_user`,
      redirectUri: 'https://sync.contoso.com/',
      emulator: false,
    });
  });

  it("ask for Teams SSO's Application ID URI when API_AUDIENCE names it", () => {
    const settings = tabSettings(loadApiConfig({ ...base, API_AUDIENCE: `api://sync.contoso.com/${clientId}` }));
    expect(settings.apiScope).toBe(`api://sync.contoso.com/${clientId}/access_as_user`);
  });

  it('say there is no app to sign in to when none is configured', () => {
    const settings = tabSettings(loadApiConfig({ DATA_DIR: '/tmp/unused' }));
    expect(settings.clientId).toBeNull();
    expect(settings.apiScope).toBeNull();
  });
});
