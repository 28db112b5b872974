/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher: it must install the require hook before loading TypeScript. */
// Runs a TypeScript benchmark without a build step: .ts files are transpiled by swc on require, as jest does.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

// The first argument naming a .ts file is the benchmark (sync.bench.ts by default); every other argument is the benchmark's own.
require(path.resolve(__dirname, process.argv.slice(2).find((arg) => arg.endsWith('.ts')) ?? 'sync.bench.ts'));
