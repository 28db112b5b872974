import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { ensureDevCertificate } from './tls/dev-certificate';
import type { EmulatorSettings } from './config';
import { version } from './version';

export interface RunningEmulator {
  /** The `https://` base of both the login and the Graph surfaces. */
  url: string;
  caPath: string;
  close(): Promise<void>;
}

/** Starts the emulator's HTTPS server. */
export async function startEmulator(settings: EmulatorSettings, logger: Logger = pino({ level: settings.logLevel })): Promise<RunningEmulator> {
  const tls = await ensureDevCertificate(path.join(settings.dataDir, 'certs'));
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', service: 'emulator', version }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'NotFound', message: `No emulated endpoint at ${req.method} ${req.url}` } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${settings.port} is already in use. Stop what is using it, or set EMULATOR_PORT (or --port) to another port.`) : error),
    );
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${settings.host === '127.0.0.1' || settings.host === '0.0.0.0' ? 'localhost' : settings.host}:${port}`;
  logger.debug({ url }, 'emulator listening');
  return {
    url,
    caPath: tls.caPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
