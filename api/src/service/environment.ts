import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';

/** Thrown when the environment does not describe a process that can start. */
export class ConfigurationError extends Error {
  readonly code = 'CONFIGURATION_INVALID';
  constructor(
    readonly processName: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${processName} cannot start, its configuration is invalid:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet these variables in the environment or in env/.env.local, then start again.',
    );
    this.name = 'ConfigurationError';
  }
}

/** The repository root: where `env/` and the default `data/` live. */
export function repositoryRoot(): string {
  // Walk up from this file (src/service or dist/service) to the folder holding env/.
  let dir = __dirname;
  for (let i = 0; i < 6; i += 1) {
    if (existsSync(path.join(dir, 'env')) && existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/**
 * The variables a process sees: `env/.env.local` under the real environment, so that
 * what the shell sets always wins over the file.
 */
export function readEnvironment(
  source: NodeJS.ProcessEnv = process.env,
  localFile = path.join(repositoryRoot(), 'env', '.env.local'),
): Record<string, string | undefined> {
  const fromFile = existsSync(localFile) ? parseDotenv(readFileSync(localFile)) : {};
  return { ...fromFile, ...source };
}

/**
 * Parses the environment with a zod schema and turns every problem into a sentence that
 * names the variable and what it expects.
 */
export function parseConfiguration<S extends z.ZodType>(
  processName: string,
  schema: S,
  environment: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(environment);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const given = issue.path.length > 0 ? environment[String(issue.path[0])] : undefined;
    const shown = given === undefined ? 'it is not set' : `got "${given}"`;
    return `${variable}: ${issue.message} (${shown})`;
  });
  throw new ConfigurationError(processName, problems);
}

/** Shared field shapes, so every process spells them the same way. */
export const configurationFields = {
  port: (fallback: number) =>
    z.coerce
      .number({ error: 'expected a TCP port number' })
      .int('expected a whole number')
      .min(0, 'expected a port from 0 to 65535')
      .max(65535, 'expected a port from 0 to 65535')
      .default(fallback),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  nodeEnv: z
    .enum(['development', 'production', 'test'], {
      error: 'expected development, production or test',
    })
    .default('development'),
  url: z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL such as https://example.com' }),
  optionalText: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
};
