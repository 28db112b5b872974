import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** How the emulator is started: flags win over variables, variables over defaults. */
const emulatorSettings = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  users: z.coerce.number().int().min(0).max(1_000_000),
  groups: z.coerce.number().int().min(0).max(100_000),
  seed: z.coerce.number().int(),
  /** `demo` seeds the company-like tenant `npm start` shows; `generated` uses the counts. */
  tenant: z.enum(['demo', 'generated', 'none']),
  /** Deliver change notifications to http://localhost too (Graph wants https): for local development only. */
  allowHttpLoopbackNotifications: z.boolean().optional(),
  /** The latency cost model (emulator/README.md): `default` on, `off` answers at once. In-process emulators default to off. */
  latency: z.enum(['default', 'off']).optional(),
});

export type EmulatorSettings = z.output<typeof emulatorSettings>;

export class EmulatorUsageError extends Error {
  readonly code = 'EMULATOR_USAGE';
}

export function readEmulatorSettings(argv: string[], env: NodeJS.ProcessEnv, repositoryRoot: string): EmulatorSettings {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      users: { type: 'string' },
      groups: { type: 'string' },
      seed: { type: 'string' },
      demo: { type: 'boolean' },
      empty: { type: 'boolean' },
      'log-level': { type: 'string' },
      'allow-http-loopback-notifications': { type: 'boolean' },
      latency: { type: 'string' },
    },
    strict: true,
  });
  const generated = values.users !== undefined || values.groups !== undefined;
  const raw = {
    port: values.port ?? env.EMULATOR_PORT ?? 4000,
    host: values.host ?? env.EMULATOR_HOST ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? env.DATA_DIR ?? path.join(repositoryRoot, 'data'),
    logLevel: values['log-level'] ?? env.LOG_LEVEL ?? 'info',
    users: values.users ?? 1000,
    groups: values.groups ?? 20,
    seed: values.seed ?? 1,
    tenant: values.empty ? 'none' : values.demo || !generated ? 'demo' : 'generated',
    allowHttpLoopbackNotifications: values['allow-http-loopback-notifications'] ?? env.EMULATOR_ALLOW_HTTP_LOOPBACK_NOTIFICATIONS === 'true',
    latency: values.latency ?? env.EMULATOR_LATENCY ?? 'default',
  };
  const parsed = emulatorSettings.safeParse(raw);
  if (!parsed.success) {
    const names: Record<string, string> = { port: '--port / EMULATOR_PORT', host: '--host / EMULATOR_HOST', logLevel: '--log-level / LOG_LEVEL', latency: '--latency / EMULATOR_LATENCY (default or off)' };
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `${names[key] ?? `--${key}`}: ${i.message}`;
    });
    throw new EmulatorUsageError(`The emulator cannot start: ${problems.join('; ')}`);
  }
  return parsed.data;
}
