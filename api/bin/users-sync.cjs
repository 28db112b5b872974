#!/usr/bin/env node
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher npm links before anything is built. */
// The `users-sync` command. A committed file, so npm links it at install time, before
// anything is built; the command itself is the built CLI (`npm start` or `npm run build` builds it).
const { existsSync } = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(built)) {
  process.stderr.write('users-sync: the api is not built yet. Run `npm start` (or `npm run build -w api`) once, then try again.\n');
  process.exit(1);
}
require(built);
