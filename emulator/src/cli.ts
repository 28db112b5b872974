#!/usr/bin/env node
import path from 'node:path';
import pino from 'pino';
import { readEmulatorSettings } from './config';
import { startEmulator } from './server';

/**
 * `npm run emulator -- --port 4000 --users 5000 --groups 50 --seed 7`: starts the emulator
 * and prints one JSON line on stdout when it is ready; logs go to stderr.
 */
async function main(): Promise<void> {
  const settings = readEmulatorSettings(process.argv.slice(2), process.env, path.resolve(__dirname, '..', '..'));
  const logger = pino({ level: settings.logLevel, base: { service: 'emulator' } }, pino.destination(2));
  const emulator = await startEmulator(settings, logger);
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      url: emulator.url,
      tenantId: emulator.tenant?.tenantId ?? null,
      domain: emulator.tenant?.defaultDomain ?? null,
      clientId: emulator.app.clientId,
      clientSecret: emulator.app.clientSecret,
      caPath: emulator.caPath,
      controlUrl: emulator.controlUrl,
    })}\n`,
  );
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
