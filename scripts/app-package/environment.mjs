// The Teams Toolkit's environment files (env/.env.<name>) and its ${{VAR}} placeholders,
// read the way the Toolkit reads them, so `npm run package` and `teamsapp` render alike.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { PackageError } from './package-error.mjs';

/** A path as messages show it: relative to the repository when inside it. */
export function displayPath(root, file) {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Every variable a template names with ${{VAR}}, in order of first use. */
export function placeholdersIn(text) {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * The variables of one environment: its file, then the real environment for what the file
 * leaves empty or out (CI passes values in; the Toolkit hands its outputs to the npm
 * commands it runs), and TEAMSFX_ENV as the Toolkit sets it.
 * @param {{ envDir: string, envName: string, root: string, processEnv?: Record<string, string | undefined> }} options
 */
export function loadEnvironment({ envDir, envName, root, processEnv = process.env }) {
  if (!/^[A-Za-z0-9_-]+$/.test(envName)) {
    throw new PackageError('PACKAGE_ENV_NAME_INVALID', `"${envName}" is not an environment name: use letters, digits, - or _ (for example --env local or --env dev).`);
  }
  const file = path.join(envDir, `.env.${envName}`);
  const shown = displayPath(root, file);
  if (!existsSync(file)) {
    const template = `${file}.template`;
    const hint = existsSync(template)
      ? `Copy ${displayPath(root, template)} to ${shown} and fill it in.`
      : `Create it with the variables appPackage/manifest.json uses (see README, "Install in your tenant").`;
    throw new PackageError('PACKAGE_ENV_FILE_MISSING', `${shown} does not exist. ${hint}`);
  }
  const fromFile = { TEAMSFX_ENV: envName, ...parseDotenv(readFileSync(file)) };
  /** @param {string} name */
  const valueOf = (name) => fromFile[name]?.trim() || processEnv[name]?.trim() || undefined;
  return { file: shown, valueOf };
}

/**
 * Replaces every ${{VAR}} in a JSON template. Values are JSON-escaped, since they land
 * inside JSON strings. A variable that is missing or empty stops the build, naming the
 * variable, the template that uses it and the file it belongs in.
 * @param {string} text
 * @param {{ template: string, environment: { file: string, valueOf: (name: string) => string | undefined } }} options
 */
export function renderJsonTemplate(text, { template, environment }) {
  const missing = placeholdersIn(text).filter((name) => environment.valueOf(name) === undefined);
  if (missing.length > 0) {
    const lines = missing.map((name) => `  - ${name}: set ${name}=… in ${environment.file} (or in the environment)`);
    throw new PackageError(
      'PACKAGE_VARIABLE_MISSING',
      `${template} uses ${missing.length === 1 ? 'a variable' : `${missing.length} variables`} that ${environment.file} does not set:\n${lines.join('\n')}`,
    );
  }
  return text.replace(PLACEHOLDER, (_all, name) => JSON.stringify(environment.valueOf(name)).slice(1, -1));
}
