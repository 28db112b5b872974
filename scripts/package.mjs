#!/usr/bin/env node
// `npm run package -- --env local|dev`: builds the Teams app package for one environment.
// Options for other layouts (the tests use them): --env-dir, --app-package-dir, --out.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildAppPackage } from './app-package/build.mjs';
import { displayPath } from './app-package/environment.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fail(code, message) {
  process.stderr.write(`npm run package: ${message}\n[${code}]\n`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: {
      env: { type: 'string' },
      'env-dir': { type: 'string' },
      'app-package-dir': { type: 'string' },
      out: { type: 'string' },
    },
  }).values;
} catch (error) {
  fail('PACKAGE_ARGUMENTS_INVALID', `${error instanceof Error ? error.message : String(error)}. Usage: npm run package -- --env local|dev`);
}
if (!args.env) fail('PACKAGE_ARGUMENTS_INVALID', 'say which environment to package: npm run package -- --env local|dev (its variables come from env/.env.<env>).');

const absolute = (p) => (p === undefined ? undefined : path.resolve(p));
try {
  const result = await buildAppPackage({
    root,
    envName: args.env,
    envDir: absolute(args['env-dir']),
    appPackageDir: absolute(args['app-package-dir']),
    outDir: absolute(args.out),
    onUpdated: (file) => process.stdout.write(`updated ${file} (generated from its source: commit it)\n`),
  });
  process.stdout.write(
    `${displayPath(root, result.zipPath)}: manifest ${String(result.manifest.manifestVersion)} valid, icons checked (manifest.json, ${result.manifest.icons.color}, ${result.manifest.icons.outline})\n`,
  );
} catch (error) {
  if (error && typeof error === 'object' && 'code' in error && error.name === 'PackageError') fail(String(error.code), error.message);
  throw error;
}
