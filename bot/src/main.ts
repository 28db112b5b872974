import { close, ConfigurationError, createLogger, listen, packageVersion, PortInUseError } from '@users-sync/api/service';
import { createBotApp } from './app';
import { loadBotConfig } from './config';

async function main(): Promise<void> {
  const config = loadBotConfig();
  const version = packageVersion(__dirname);
  const logger = createLogger({ service: 'bot', level: config.logLevel, pretty: config.env === 'development', version });
  const app = createBotApp(config, logger, version);
  const port = await listen(app.server, config.port, config.host, 'BOT_PORT');
  logger.info({ url: `http://${config.host}:${port}`, local: config.local }, config.local ? 'bot listening on loopback, without Bot Framework credentials (local mode)' : 'bot listening');

  const stop = async (signal: string) => {
    logger.info({ signal }, 'bot stopping');
    await close(app.server);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError || error instanceof PortInUseError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`bot failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
