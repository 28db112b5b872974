/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher: it must install the require hook before loading TypeScript. */
// Runs a TypeScript benchmark without a build step: .ts files are transpiled by swc on require, as jest does.
const { readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
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

const runBenchmark = () =>
  // The first argument naming a .ts file is the benchmark (sync.bench.ts by default); every other argument is the benchmark's own.
  require(path.resolve(__dirname, process.argv.slice(2).find((arg) => arg.endsWith('.ts')) ?? 'sync.bench.ts'));

// Benchmarks talk HTTPS to the emulator, whose development CA (data/certs, made on the emulator's
// first start) must be trusted. Node reads NODE_EXTRA_CA_CERTS only at start-up, so on a fresh
// clone the certificate is made first and the benchmark started again trusting it; the processes it
// starts inherit that trust.
const caPath = path.resolve(__dirname, '..', 'data', 'certs', 'dev-ca.pem');
let ensureDevCertificate;
try {
  ({ ensureDevCertificate } = require('../emulator/dist/tls/dev-certificate.js'));
} catch {
  // The emulator is not built: benchmarks without it (tab bundle, CSV import) need no certificate.
}
const trusted = process.env.NODE_EXTRA_CA_CERTS !== undefined && path.resolve(process.env.NODE_EXTRA_CA_CERTS) === caPath;
if (!ensureDevCertificate) {
  runBenchmark();
} else {
  // Made (or renewed) first in every case, so the emulator never starts with a CA this process does not trust.
  ensureDevCertificate(path.dirname(caPath)).then(
    () => {
      if (trusted) {
        runBenchmark();
        return;
      }
      const run = spawnSync(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath } });
      process.exit(run.status ?? 1);
    },
    (error) => {
      console.error(`Could not make the emulator's development certificate in ${path.dirname(caPath)}: ${error.message}`);
      process.exit(1);
    },
  );
}
