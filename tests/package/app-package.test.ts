import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PNG } from 'pngjs';
import { commandCatalog } from '@users-sync/bot/commands/command-catalog';
import { appPackageDir, provisionedEnvironment, readZip, runPackage, workspace } from './app-package-harness';

const schemaRoot = path.join(path.dirname(createRequire(__filename).resolve('@microsoft/app-manifest/package.json')), 'build', 'json-schemas', 'teams');

interface BotCommandList {
  scopes: string[];
  commands: { title: string; description?: string }[];
}

function commandsByScope(manifest: { bots: { commandLists: BotCommandList[] }[] }): Record<string, string[]> {
  const byScope: Record<string, string[]> = {};
  for (const list of manifest.bots[0]!.commandLists) {
    for (const scope of list.scopes) byScope[scope] = [...(byScope[scope] ?? []), ...list.commands.map((c) => `${c.title} — ${c.description ?? ''}`)];
  }
  return byScope;
}

function catalogByScope(): Record<string, string[]> {
  const byScope: Record<string, string[]> = {};
  for (const entry of commandCatalog) {
    for (const scope of entry.scopes) byScope[scope] = [...(byScope[scope] ?? []), `${entry.command} — ${entry.description}`];
  }
  return byScope;
}

describe('npm run package', () => {
  it('builds appPackage.<env>.zip holding exactly manifest.json and the two icons, rendered from env/.env.<env> and valid offline', async () => {
    const ws = workspace('local');
    const run = await runPackage(ws, 'local');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const files = readZip(path.join(ws.outDir, 'appPackage.local.zip'));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const text = files['manifest.json']!.toString('utf8');
    expect(text).not.toContain('${{');
    const manifest = JSON.parse(text);
    expect(manifest.id).toBe(provisionedEnvironment.TEAMS_APP_ID);
    expect(manifest.bots[0]!.botId).toBe(provisionedEnvironment.BOT_ID);
    expect(manifest.staticTabs[0].contentUrl).toBe('https://sync.contoso.example/');
    expect(manifest.validDomains).toEqual(['sync.contoso.example']);
    expect(manifest.webApplicationInfo).toEqual({
      id: provisionedEnvironment.AAD_APP_CLIENT_ID,
      resource: `api://sync.contoso.example/${provisionedEnvironment.AAD_APP_CLIENT_ID}`,
    });
    expect(manifest.bots[0].scopes.sort()).toEqual(['personal', 'team']);
    expect(run.stdout).toContain('manifest 1.30 valid');

    const color = PNG.sync.read(files['color.png']!);
    const outline = PNG.sync.read(files['outline.png']!);
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const pixels = [...Array(outline.width * outline.height).keys()].map((i) => [...outline.data.subarray(i * 4, i * 4 + 4)]);
    expect(pixels.filter(([r, g, b, a]) => a! > 0 && (r !== 255 || g !== 255 || b !== 255))).toEqual([]);
    expect(pixels.some(([, , , a]) => a === 0)).toBe(true);
    expect(pixels.some(([, , , a]) => a === 255)).toBe(true);

    // The rendered manifest lands beside the zip, as the Toolkit's zipAppPackage leaves it.
    expect(JSON.parse(readFileSync(path.join(ws.outDir, 'manifest.local.json'), 'utf8'))).toEqual(manifest);
    // The package carries the bot's commands exactly.
    expect(commandsByScope(manifest)).toEqual(catalogByScope());
  });

  it('keeps the committed icons and bot commands current: packaging regenerates nothing', async () => {
    const ws = workspace('dev', { ...provisionedEnvironment, TEAMSFX_ENV: 'dev' });
    const run = await runPackage(ws, 'dev');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/updated/);
    for (const file of ['manifest.json', 'color.png', 'outline.png']) {
      expect(readFileSync(path.join(ws.appPackageDir, file)).equals(readFileSync(path.join(appPackageDir, file)))).toBe(true);
    }
  });

  it('rewrites stale bot commands and icons from their sources and says which files to commit', async () => {
    const ws = workspace('local');
    const manifestFile = path.join(ws.appPackageDir, 'manifest.json');
    const stale = JSON.parse(readFileSync(manifestFile, 'utf8'));
    stale.bots[0].commandLists = [{ scopes: ['personal'], commands: [{ title: 'hello', description: 'not a command of ours' }] }];
    writeFileSync(manifestFile, JSON.stringify(stale));
    writeFileSync(path.join(ws.appPackageDir, 'outline.png'), Buffer.alloc(0));

    const run = await runPackage(ws, 'local');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('updated');
    expect(run.stdout).toMatch(/manifest\.json/);
    expect(run.stdout).toMatch(/outline\.png/);
    expect(commandsByScope(JSON.parse(readFileSync(manifestFile, 'utf8')))).toEqual(catalogByScope());
  });

  it('regenerates the bot commands even before the environment is filled in, so a merge of the catalog is one command away', async () => {
    const ws = workspace('dev', { TEAMSFX_ENV: 'dev' });
    const manifestFile = path.join(ws.appPackageDir, 'manifest.json');
    const stale = JSON.parse(readFileSync(manifestFile, 'utf8'));
    stale.bots[0].commandLists = [];
    writeFileSync(manifestFile, JSON.stringify(stale));

    const run = await runPackage(ws, 'dev');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[PACKAGE_VARIABLE_MISSING]');
    expect(run.stdout).toMatch(/updated .*manifest\.json/);
    expect(commandsByScope(JSON.parse(readFileSync(manifestFile, 'utf8')))).toEqual(catalogByScope());
  });

  it('stops on a missing variable, naming it and the env file it belongs in, and writes no package', async () => {
    const ws = workspace('local', { ...provisionedEnvironment, BOT_ID: undefined, TAB_DOMAIN: '' });
    const run = await runPackage(ws, 'local');
    expect(run.code).toBe(1);
    const envFile = path.join(ws.envDir, '.env.local');
    expect(run.stderr).toContain(`set BOT_ID=… in ${envFile}`);
    expect(run.stderr).toContain(`set TAB_DOMAIN=… in ${envFile}`);
    expect(run.stderr).toContain('[PACKAGE_VARIABLE_MISSING]');
    expect(existsSync(path.join(ws.outDir, 'appPackage.local.zip'))).toBe(false);
  });

  it('says which file to create when the environment has none', async () => {
    const ws = workspace('local');
    const run = await runPackage(ws, 'staging');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${path.join(ws.envDir, '.env.staging')} does not exist`);
    expect(run.stderr).toContain('[PACKAGE_ENV_FILE_MISSING]');
  });

  it('refuses a broken manifest with one readable line per problem, naming the field', async () => {
    const ws = workspace('local');
    const manifestFile = path.join(ws.appPackageDir, 'manifest.json');
    const broken = JSON.parse(readFileSync(manifestFile, 'utf8'));
    broken.accentColor = 'purple';
    delete broken.name;
    broken.staticTabs[0].contentUrl = 'http://elsewhere.example/';
    writeFileSync(manifestFile, JSON.stringify(broken, null, 2));

    const run = await runPackage(ws, 'local');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not a valid Teams app manifest 1.30:');
    expect(run.stderr).toMatch(/^ {2}- accentColor must match pattern/m);
    expect(run.stderr).toMatch(/^ {2}- \(manifest\) must have required property 'name'/m);
    expect(run.stderr).toMatch(/^ {2}- staticTabs\[0\]\.contentUrl is "http:\/\/elsewhere\.example\/": Teams loads tabs over https only\./m);
    expect(run.stderr).toMatch(/^ {2}- staticTabs\[0\]\.contentUrl is on elsewhere\.example, which validDomains does not list\./m);
    expect(run.stderr).toContain('[PACKAGE_MANIFEST_INVALID]');
    expect(existsSync(path.join(ws.outDir, 'appPackage.local.zip'))).toBe(false);
  });

  it('refuses an outline icon that is not white on transparent', async () => {
    const ws = workspace('local');
    const svgFile = path.join(ws.appPackageDir, 'icon.svg');
    writeFileSync(svgFile, readFileSync(svgFile, 'utf8').replace(/#FFFFFF/g, '#FF0000'));
    const run = await runPackage(ws, 'local');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/outline\.png has \d+ pixels that are not white/);
  });

  it('uses the newest manifest schema that @microsoft/app-manifest validates offline', () => {
    const versions = readdirSync(schemaRoot)
      .filter((name) => /^v\d+\.\d+$/.test(name))
      .map((name) => name.slice(1))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    const template = JSON.parse(readFileSync(path.join(appPackageDir, 'manifest.json'), 'utf8'));
    expect(template.manifestVersion).toBe(versions.at(-1));
    expect(template.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${versions.at(-1)}/MicrosoftTeams.schema.json`);
  });
});

describe('the committed manifest template', () => {
  it("lists exactly the bot's commands, in each scope, both ways", () => {
    const template = JSON.parse(readFileSync(path.join(appPackageDir, 'manifest.json'), 'utf8'));
    expect(commandsByScope(template)).toEqual(catalogByScope());
  });
});
