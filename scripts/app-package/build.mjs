// `npm run package -- --env <name>`: bring the derived parts of appPackage/ up to date
// (icons from icon.svg, bot commands from the bot's catalog), render the manifest from
// env/.env.<name>, validate it offline, and write appPackage/build/appPackage.<name>.zip
// holding exactly manifest.json and the two icons.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { commandListsFrom, loadCommandCatalog } from './command-lists.mjs';
import { displayPath, loadEnvironment, renderJsonTemplate } from './environment.mjs';
import { iconProblems, renderIcons } from './icons.mjs';
import { schemaProblems, teamsRuleProblems } from './manifest-rules.mjs';
import { PackageError } from './package-error.mjs';

// A fixed date inside the zip, so the same inputs always give the same package.
const ZIP_DATE = new Date('2025-01-01T00:00:00Z');

function writeIfChanged(file, content) {
  let current;
  try {
    current = readFileSync(file);
  } catch {
    current = undefined;
  }
  if (current && Buffer.compare(current, Buffer.from(content)) === 0) return false;
  writeFileSync(file, content);
  return true;
}

function parseJson(text, shown) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PackageError('PACKAGE_MANIFEST_NOT_JSON', `${shown} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * @param {{ root: string, envName: string, envDir?: string, appPackageDir?: string, outDir?: string, catalogFile?: string, processEnv?: Record<string, string | undefined>, onUpdated?: (file: string) => void }} options
 *   onUpdated hears of each derived file rewritten, even when a later step fails.
 * @returns {Promise<{ zipPath: string, manifestPath: string, manifest: Record<string, unknown> }>}
 */
export async function buildAppPackage(options) {
  const { root, envName } = options;
  const appPackageDir = options.appPackageDir ?? path.join(root, 'appPackage');
  const envDir = options.envDir ?? path.join(root, 'env');
  const outDir = options.outDir ?? path.join(appPackageDir, 'build');
  const catalogFile = options.catalogFile ?? path.join(root, 'bot', 'src', 'commands', 'command-catalog.ts');
  const shown = (file) => displayPath(root, file);
  const manifestFile = path.join(appPackageDir, 'manifest.json');
  const svgFile = path.join(appPackageDir, 'icon.svg');
  const updated = (file) => options.onUpdated?.(file);

  // 1. Derived parts of the template, regenerated so a commit always carries them current.
  const template = parseJson(readFileSync(manifestFile, 'utf8'), shown(manifestFile));
  const catalog = loadCommandCatalog(catalogFile, shown(catalogFile));
  const bots = Array.isArray(template.bots) ? template.bots : [];
  if (bots.length !== 1) throw new PackageError('PACKAGE_MANIFEST_BOT_MISSING', `${shown(manifestFile)} must declare exactly one bot (bots[0]), whose commands come from ${shown(catalogFile)}.`);
  bots[0].commandLists = commandListsFrom(catalog);
  if (writeIfChanged(manifestFile, `${JSON.stringify(template, null, 2)}\n`)) updated(shown(manifestFile));

  const icons = renderIcons(readFileSync(svgFile, 'utf8'), shown(svgFile));
  const iconFiles = template.icons ?? {};
  if (typeof iconFiles.color !== 'string' || typeof iconFiles.outline !== 'string') {
    throw new PackageError('PACKAGE_MANIFEST_ICONS_MISSING', `${shown(manifestFile)} must name its icons: "icons": { "color": "color.png", "outline": "outline.png" }.`);
  }
  for (const [kind, name] of Object.entries({ color: iconFiles.color, outline: iconFiles.outline })) {
    if (name.includes('/') || name.includes('\\')) throw new PackageError('PACKAGE_MANIFEST_ICONS_MISSING', `icons.${kind} is "${name}": keep the icons beside manifest.json (a bare file name).`);
    if (writeIfChanged(path.join(appPackageDir, name), icons[kind])) updated(shown(path.join(appPackageDir, name)));
  }

  // 2. Render for the environment.
  const environment = loadEnvironment({ envDir, envName, root, processEnv: options.processEnv });
  const rendered = renderJsonTemplate(readFileSync(manifestFile, 'utf8'), { template: shown(manifestFile), environment });
  const manifest = parseJson(rendered, `${shown(manifestFile)} rendered with ${environment.file}`);

  // 3. Validate everything that can be checked offline.
  const packed = {
    'manifest.json': Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`),
    [iconFiles.color]: readFileSync(path.join(appPackageDir, iconFiles.color)),
    [iconFiles.outline]: readFileSync(path.join(appPackageDir, iconFiles.outline)),
  };
  const problems = [
    ...(await schemaProblems(manifest)),
    ...teamsRuleProblems(manifest),
    ...iconProblems({ color: packed[iconFiles.color], outline: packed[iconFiles.outline] }, { color: iconFiles.color, outline: iconFiles.outline }),
  ];
  if (problems.length > 0) {
    throw new PackageError(
      'PACKAGE_MANIFEST_INVALID',
      `${shown(manifestFile)} rendered with ${environment.file} is not a valid Teams app manifest ${manifest.manifestVersion}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }

  // 4. Write the package and the rendered manifest beside it.
  mkdirSync(outDir, { recursive: true });
  const zipPath = path.join(outDir, `appPackage.${envName}.zip`);
  const manifestPath = path.join(outDir, `manifest.${envName}.json`);
  const entries = Object.fromEntries(Object.entries(packed).map(([name, content]) => [name, [new Uint8Array(content), { mtime: ZIP_DATE }]]));
  writeFileSync(zipPath, zipSync(entries, { level: 9 }));
  writeFileSync(manifestPath, packed['manifest.json']);
  return { zipPath, manifestPath, manifest };
}
