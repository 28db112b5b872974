import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { repositoryRoot } from '../service/environment';

/** Written by `npm start` beside its data when it runs the emulator; removed when it stops. */
export const localEmulatorFile = 'local-microsoft.json';

const localEmulatorSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  url: z.url(),
  caPath: z.string().min(1),
});

export type LocalEmulator = z.infer<typeof localEmulatorSchema>;

/**
 * The emulator `npm start` is running, when no Microsoft app is configured: the command line
 * then talks to it as the api does, with no variable to set. Absent, stale or unreadable: none.
 */
export function localEmulator(environment: Record<string, string | undefined>): LocalEmulator | undefined {
  if (environment.MICROSOFT_CLIENT_ID) return undefined;
  const file = path.join(environment.DATA_DIR || path.join(repositoryRoot(), 'data'), localEmulatorFile);
  if (!existsSync(file)) return undefined;
  try {
    const settings = localEmulatorSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    return existsSync(settings.caPath) ? settings : undefined;
  } catch {
    return undefined;
  }
}

/** The variables the api would get from `npm start` for this emulator. */
export function emulatorEnvironment(emulator: LocalEmulator): Record<string, string> {
  return { MICROSOFT_CLIENT_ID: emulator.clientId, MICROSOFT_CLIENT_SECRET: emulator.clientSecret, MICROSOFT_AUTHORITY_HOST: emulator.url, GRAPH_BASE_URL: emulator.url };
}
