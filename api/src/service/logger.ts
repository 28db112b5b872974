import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths pino replaces with "[redacted]" wherever they appear, so a secret never reaches
 * a log line even when a whole config or request object is logged by mistake.
 */
export const redactedPaths = [
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'notifySecret',
  '*.notifySecret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-notify-secret"]',
  'res.headers["set-cookie"]',
];

export interface LoggerSettings {
  service: string;
  level: string;
  /** Readable lines for a person at a terminal; JSON lines otherwise. */
  pretty: boolean;
  version?: string;
}

export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, ...(settings.version ? { version: settings.version } : {}) },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  if (settings.pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service,version', singleLine: true },
      },
    });
  }
  return pino(options);
}
