// Everything about a rendered manifest that can be checked without a network: the JSON
// schema shipped inside @microsoft/app-manifest (never fetched), and the rules Teams
// applies on upload that a schema cannot say (https for tabs, tab and SSO domains listed
// in validDomains, one scope per command list, unique commands and tab ids).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import appManifest from '@microsoft/app-manifest';
import { PackageError } from './package-error.mjs';

const require = createRequire(import.meta.url);
const { AppManifestUtils } = appManifest;

/** The schema of one manifest version, from the package's own copy. */
export function localSchema(manifestVersion) {
  const packageRoot = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const file = path.join(packageRoot, 'build', 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
  if (typeof manifestVersion !== 'string' || !existsSync(file)) {
    throw new PackageError(
      'PACKAGE_MANIFEST_VERSION_UNKNOWN',
      `manifestVersion "${manifestVersion}" has no schema in @microsoft/app-manifest, so it cannot be validated offline.`,
    );
  }
  // Some published schemas carry \a and \v escapes that JSON does not allow (the package reads them the same way).
  return JSON.parse(readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b'));
}

/** "/bots/0/botId must match…. Details: {…}" → "bots[0].botId must match…" */
function readable(error) {
  const [text] = error.split('. Details:');
  const [pointer, ...rest] = text.split(' ');
  const where = pointer
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  return `${where || '(manifest)'} ${rest.join(' ')}`.trim();
}

export async function schemaProblems(manifest) {
  const version = manifest?.manifestVersion;
  const expected = `https://developer.microsoft.com/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`;
  const schema = localSchema(version);
  const problems = [];
  if (manifest.$schema !== undefined && manifest.$schema.replace('/en-us/', '/') !== expected) {
    problems.push(`$schema is "${manifest.$schema}" but manifestVersion is ${version}: use ${expected}`);
  }
  const errors = await AppManifestUtils.validateAgainstSchema(manifest, schema);
  return [...problems, ...new Set(errors.map(readable))];
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function domainAllows(validDomains, host) {
  return validDomains.some((d) => d === host || (d.startsWith('*.') && host.endsWith(d.slice(1))));
}

/** Teams' upload rules beyond the schema, as sentences. */
export function teamsRuleProblems(manifest) {
  const problems = [];
  const validDomains = Array.isArray(manifest.validDomains) ? manifest.validDomains : [];
  for (const domain of validDomains) {
    if (/^[a-z]+:\/\//i.test(domain) || domain.includes('/')) problems.push(`validDomains has "${domain}": list host names only (no https://, no path).`);
  }
  if (new Set(validDomains).size !== validDomains.length) problems.push('validDomains lists a domain twice.');

  const tabs = Array.isArray(manifest.staticTabs) ? manifest.staticTabs : [];
  const entityIds = tabs.map((t) => t.entityId);
  if (new Set(entityIds).size !== entityIds.length) problems.push('staticTabs use the same entityId twice.');
  for (const [i, tab] of tabs.entries()) {
    for (const field of ['contentUrl', 'websiteUrl']) {
      const url = tab[field];
      if (url === undefined) continue;
      if (!url.startsWith('https://')) problems.push(`staticTabs[${i}].${field} is "${url}": Teams loads tabs over https only.`);
      const host = hostOf(url);
      if (field === 'contentUrl' && host && !domainAllows(validDomains, host)) problems.push(`staticTabs[${i}].contentUrl is on ${host}, which validDomains does not list.`);
    }
  }

  const sso = manifest.webApplicationInfo;
  if (sso) {
    // https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-manifest
    const match = /^api:\/\/([^/]+)\/(.+)$/.exec(sso.resource ?? '');
    if (!match) problems.push(`webApplicationInfo.resource is "${sso.resource}": Teams SSO wants api://<tab domain>/<client id>.`);
    else {
      if (match[2] !== sso.id) problems.push(`webApplicationInfo.resource ends with "${match[2]}" but webApplicationInfo.id is "${sso.id}": they must name the same app.`);
      if (!domainAllows(validDomains, match[1])) problems.push(`webApplicationInfo.resource is on ${match[1]}, which validDomains does not list.`);
    }
  }

  for (const [b, bot] of (manifest.bots ?? []).entries()) {
    for (const [l, list] of (bot.commandLists ?? []).entries()) {
      if (list.scopes?.length !== 1) problems.push(`bots[${b}].commandLists[${l}] covers ${list.scopes?.length ?? 0} scopes: use one list per scope.`);
      for (const scope of list.scopes ?? []) {
        if (!bot.scopes?.includes(scope)) problems.push(`bots[${b}].commandLists[${l}] is for scope "${scope}", where the bot is not installed (bots[${b}].scopes).`);
      }
      const titles = (list.commands ?? []).map((c) => c.title);
      if (new Set(titles).size !== titles.length) problems.push(`bots[${b}].commandLists[${l}] lists a command twice.`);
    }
  }
  return problems;
}
