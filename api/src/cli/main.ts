#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { readEnvironment } from '../service/environment';
import { runCommandLine } from './command-line';
import { emulatorEnvironment, localEmulator } from './local-emulator';

// With `npm start` running the emulator and no Microsoft app configured, talk to that
// emulator. Node reads NODE_EXTRA_CA_CERTS only at start: once, run again trusting its CA.
const emulator = localEmulator(readEnvironment(process.env));
if (emulator && process.env.NODE_EXTRA_CA_CERTS !== emulator.caPath) {
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...emulatorEnvironment(emulator), NODE_EXTRA_CA_CERTS: emulator.caPath },
  });
  process.exit(again.status ?? 1);
}

// `users-sync employees | head`: the reader left; end quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Ctrl-C (or a service manager's SIGTERM) during a sync: the run ends cancelled instead of blocking the next sync.
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(130); // asked twice: stop now
    interrupt.abort();
  });
}

runCommandLine(process.argv.slice(2), { out: process.stdout, env: process.env, signal: interrupt.signal }).then(
  (code) => {
    process.exitCode = interrupt.signal.aborted ? 130 : code;
  },
  (error: unknown) => {
    process.stderr.write(`users-sync: ${(error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = 1;
  },
);
