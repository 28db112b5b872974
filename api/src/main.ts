import { loadApiConfig } from './config';
import { buildApiServices } from './composition';
import { createApiApp } from './http/app';
import { close, ConfigurationError, createLogger, listen, packageVersion, PortInUseError } from './service';
import { StoreError } from './store';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const version = packageVersion(__dirname);
  const logger = createLogger({ service: 'api', level: config.logLevel, pretty: config.env === 'development', version });
  const app = createApiApp(await buildApiServices(config, logger), version);
  // Jobs first: a sync asked for as soon as the port opens must find the queue ready.
  await app.start();
  const port = await listen(app.server, config.port, config.host, 'API_PORT');
  logger.info({ url: `http://${config.host}:${port}`, storage: app.services.store.kind }, 'api listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping');
    app.beginShutdown();
    await close(app.server);
    await app.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError || error instanceof PortInUseError || error instanceof StoreError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`api failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
