import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { requestedPermissions, routes } from '@users-sync/api/contract';
import { loadApiConfig } from '@users-sync/api/config';
import { readEnvironment } from '@users-sync/api/service/environment';
import { API_SCOPE } from '@users-sync/api/http/auth/entra-token';
import { tabSettings } from '@users-sync/api/http/routes/tab-settings';
import { loadBotConfig } from '@users-sync/bot/config';
import { placeholdersIn, provisionedEnvironment, repositoryRoot } from './app-package-harness';

const read = (file: string) => readFileSync(path.join(repositoryRoot, file), 'utf8');
const aadManifest = JSON.parse(read('appPackage/aad.manifest.json'));

/** Variables a Toolkit yml file writes with writeToEnvironmentFile, in order. */
function outputsOf(yml: string): string[] {
  const outputs: string[] = [];
  let blockIndent: number | undefined;
  for (const line of yml.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (/^\s*writeToEnvironmentFile:\s*$/.test(line)) blockIndent = indent;
    else if (blockIndent !== undefined && line.trim() !== '' && indent > blockIndent) {
      const match = /^\s*\w+:\s*([A-Z][A-Z0-9_]*)\s*(#.*)?$/.exec(line);
      if (match) outputs.push(match[1]!);
    } else if (line.trim() !== '') blockIndent = undefined;
  }
  return outputs;
}

const environments = [
  { yml: 'teamsapp.yml', template: 'env/.env.dev' },
  { yml: 'teamsapp.local.yml', template: 'env/.env.local.template' },
];

describe('Toolkit environments', () => {
  it.each(environments)('$template declares exactly the variables $yml and the manifests use', ({ yml, template }) => {
    const lifecycle = read(yml);
    const outputs = outputsOf(lifecycle);
    const used = new Set([...placeholdersIn(lifecycle), ...placeholdersIn(read('appPackage/manifest.json')), ...placeholdersIn(read('appPackage/aad.manifest.json')), ...outputs]);
    const declared = Object.keys(parseDotenv(read(template)));
    // Secrets stay out of the committed templates: the Toolkit keeps them in env/.env.<env>.user.
    expect(declared.filter((name) => name.startsWith('SECRET_'))).toEqual([]);
    expect(declared.sort()).toEqual([...used].filter((name) => !name.startsWith('SECRET_')).sort());
    // Every secret the yml reads is one an earlier action of the same yml writes.
    for (const secret of [...used].filter((name) => name.startsWith('SECRET_'))) {
      expect(outputs).toContain(secret);
      expect(lifecycle.indexOf(`: ${secret}`)).toBeLessThan(lifecycle.indexOf(`\${{${secret}}}`));
    }
  });

  it.each(environments)('$yml follows the Toolkit lifecycle: provision, deploy, and the registrations in order', ({ yml }) => {
    const lifecycle = read(yml);
    const actions = [...lifecycle.matchAll(/^\s*- uses: (\S+)/gm)].map((m) => m[1]);
    const provision = actions.slice(0, actions.indexOf('teamsApp/update') + 1);
    expect(provision).toEqual([
      'teamsApp/create',
      'aadApp/create',
      'botAadApp/create',
      'botFramework/create',
      'aadApp/update',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/update',
    ]);
    expect(lifecycle).toMatch(/^deploy:/m);
    expect(lifecycle).toMatch(/signInAudience: AzureADMultipleOrgs/);
    expect(lifecycle).toContain('manifestPath: ./appPackage/aad.manifest.json');
  });

  it('publishes the dev package to the organization catalog', () => {
    expect(read('teamsapp.yml')).toMatch(/^publish:[\s\S]*- uses: teamsApp\/publishAppPackage/m);
  });

  it('keeps npm start working when env/.env.local is a fresh copy of its template', () => {
    const localFile = path.join(repositoryRoot, 'env', '.env.local.template');
    const environment = readEnvironment({}, localFile);
    const api = loadApiConfig(environment);
    expect(api.microsoft.clientId).toBeUndefined(); // still the emulator
    expect(api.publicUrl).toBe('http://localhost:3000');
    expect(loadBotConfig(environment).botId).toBeUndefined();
  });
});

describe('the Entra app registration (appPackage/aad.manifest.json)', () => {
  it('asks Microsoft Graph for exactly the permissions the api requests at admin consent', () => {
    const graph = aadManifest.requiredResourceAccess.filter((r: { resourceAppId: string }) => r.resourceAppId === 'Microsoft Graph');
    expect(graph).toHaveLength(1);
    const access: { id: string; type: string }[] = graph[0].resourceAccess;
    expect(access.map((a) => a.id).sort()).toEqual(requestedPermissions.map((p) => p.name).sort());
    // Sign-in is the only delegated permission; the sync reads the directory as the application.
    expect(access.filter((a) => a.type === 'Scope').map((a) => a.id)).toEqual(['User.Read']);
    expect(access.filter((a) => a.type === 'Role').map((a) => a.id).sort()).toEqual(['Directory.Read.All', 'Group.Read.All', 'GroupMember.Read.All', 'User.Read.All']);
  });

  it('is multi-tenant, issues v2 tokens carrying directory roles, and exposes access_as_user to the Teams clients', () => {
    expect(aadManifest.signInAudience).toBe('AzureADMultipleOrgs');
    expect(aadManifest.accessTokenAcceptedVersion).toBe(2);
    expect(aadManifest.groupMembershipClaims).toBe('DirectoryRole');
    const scope = aadManifest.oauth2Permissions.find((p: { value: string }) => p.value === 'access_as_user');
    expect(scope).toMatchObject({ isEnabled: true, type: 'User' });
    const preAuthorized = aadManifest.preAuthorizedApplications.map((a: { appId: string; permissionIds: string[] }) => {
      expect(a.permissionIds).toEqual([scope.id]);
      return a.appId;
    });
    // Teams desktop and mobile, Teams web (tabs/how-to/authentication/tab-sso-register-aad).
    expect(preAuthorized).toEqual(expect.arrayContaining(['1fec8e78-bce4-4aaf-ab1b-5451cc387264', '5e3ce6c0-2b1f-4285-8d4b-75ee78787346']));
  });

  // api://<tab domain>/<client id> is an accepted form for multi-tenant apps
  // (entra/identity-platform/identifier-uri-restrictions) and the one Teams SSO wants
  // (tabs/how-to/authentication/tab-sso-manifest).
  it("names the resource Teams SSO asks for and the api's consent callback", () => {
    const teamsManifest = JSON.parse(read('appPackage/manifest.json'));
    expect(aadManifest.identifierUris).toEqual([teamsManifest.webApplicationInfo.resource]);
    expect(aadManifest.replyUrlsWithType).toEqual(
      expect.arrayContaining([
        { url: '${{TAB_ENDPOINT}}/', type: 'Spa' },
        { url: `\${{TAB_ENDPOINT}}${routes.consentCallback.path}`, type: 'Web' },
      ]),
    );
  });

  it('signs the tab in with exactly what the registration allows, once deploy has set the runtime variables', () => {
    const values = provisionedEnvironment;
    const render = (text: string) => text.replace(/\$\{\{([A-Z_]+)\}\}/g, (_all, name: string) => values[name]!);
    // What teamsapp.yml's deploy step writes for the api.
    const deployed = (name: string) => render(new RegExp(`^\\s+${name}: (.+)$`, 'm').exec(read('teamsapp.yml'))![1]!);
    const api = loadApiConfig({
      PUBLIC_URL: deployed('PUBLIC_URL'),
      MICROSOFT_CLIENT_ID: deployed('MICROSOFT_CLIENT_ID'),
      MICROSOFT_CLIENT_SECRET: 'secret',
      API_AUDIENCE: deployed('API_AUDIENCE'),
    });
    const settings = tabSettings(api);
    const scope = aadManifest.oauth2Permissions[0].value;
    expect(scope).toBe(API_SCOPE);
    expect(settings.apiScope).toBe(`${render(aadManifest.identifierUris[0])}/${scope}`);
    expect(aadManifest.replyUrlsWithType.map((r: { url: string; type: string }) => ({ ...r, url: render(r.url) }))).toEqual(
      expect.arrayContaining([{ url: settings.redirectUri, type: 'Spa' }]),
    );
  });
});
