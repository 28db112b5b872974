// The bot's commands as Teams shows them: `commandLists` in the manifest, generated from
// the bot's own catalog (bot/src/commands/command-catalog.ts) so the two never drift.
// One list per scope, as the manifest schema asks ("A separate command list should be
// used for each scope"): https://learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema#botscommandlists
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { PackageError } from './package-error.mjs';

const require = createRequire(import.meta.url);
const SCOPES = ['personal', 'team'];

/**
 * Reads the catalog straight from its TypeScript source (it holds data only), so
 * packaging needs no build of the bot.
 * @param {string} file
 * @param {string} shown the path for messages
 */
export function loadCommandCatalog(file, shown) {
  const ts = require('typescript');
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const module = { exports: {} };
  try {
    vm.runInNewContext(outputText, { module, exports: module.exports, require }, { filename: file });
  } catch (error) {
    throw new PackageError('PACKAGE_COMMAND_CATALOG_INVALID', `${shown} could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const catalog = module.exports.commandCatalog;
  const valid =
    Array.isArray(catalog) &&
    catalog.length > 0 &&
    catalog.every(
      (c) =>
        c &&
        typeof c.command === 'string' &&
        c.command.trim() !== '' &&
        typeof c.description === 'string' &&
        Array.isArray(c.scopes) &&
        c.scopes.length > 0 &&
        c.scopes.every((s) => SCOPES.includes(s)),
    );
  if (!valid) {
    throw new PackageError('PACKAGE_COMMAND_CATALOG_INVALID', `${shown} must export commandCatalog: a non-empty list of { command, title, description, scopes: ('personal' | 'team')[] }.`);
  }
  return catalog;
}

/** The manifest's `commandLists` for a catalog: one list per scope that has commands. */
export function commandListsFrom(catalog) {
  return SCOPES.map((scope) => ({
    scopes: [scope],
    commands: catalog.filter((c) => c.scopes.includes(scope)).map((c) => ({ title: c.command, description: c.description })),
  })).filter((list) => list.commands.length > 0);
}
