import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface HealthReport {
  status: 'ok';
  service: string;
  version: string;
  uptimeSeconds: number;
}

/** The version in the nearest package.json above a folder (the package's own). */
export function packageVersion(fromDir: string): string {
  let dir = fromDir;
  for (let i = 0; i < 5; i += 1) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json at this level: keep walking up
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

export function healthReport(service: string, version: string): HealthReport {
  return { status: 'ok', service, version, uptimeSeconds: Math.round(process.uptime()) };
}
