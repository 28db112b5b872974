/** What every Users Sync process shares: configuration, logging, health, HTTP basics. */
export * from './environment';
export * from './logger';
export * from './health';
export * from './http-server';
