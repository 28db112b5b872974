import type { Server } from 'restify';
import type { ApiConfig } from '../config';
import { createHttpServer, type Logger } from '../service';
import { serveTab } from './tab-site';

export interface ApiApp {
  server: Server;
}

/** The api's HTTP surface. Routes are added here as the product grows. */
export function createApiApp(config: ApiConfig, logger: Logger, version: string): ApiApp {
  const server = createHttpServer({ service: 'api', version, logger });
  serveTab(server, config.tabDistDir);
  return { server };
}
