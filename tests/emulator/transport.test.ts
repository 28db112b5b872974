import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { startEmulator, type RunningEmulator } from '@users-sync/emulator/index';
import { devCaPath, testCertificateDir } from '../support/dev-certificate-path';

describe('emulator transport', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: path.dirname(testCertificateDir), logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
  });
  afterAll(() => emulator.close());

  it('serves https on localhost with a certificate clients verify against the development CA', async () => {
    expect(emulator.url).toMatch(/^https:\/\/localhost:\d+$/);
    expect(emulator.caPath).toBe(devCaPath);
    const res = await fetch(`${emulator.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'emulator' });
  });

  it('is refused by a client that does not trust the development CA (verification stays on)', async () => {
    const strict = new Agent({ connect: { ca: [] as string[] } });
    await expect(fetch(`${emulator.url}/healthz`, { dispatcher: strict } as RequestInit)).rejects.toThrow();
    await strict.close();
  });

  it('makes its certificate once and reuses it on the next start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'emulator-cert-'));
    try {
      const first = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: dir, logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
      await first.close();
      const { readFileSync, statSync } = await import('node:fs');
      const made = statSync(first.caPath).mtimeMs;
      const ca = readFileSync(first.caPath, 'utf8');
      const second = await startEmulator({ port: 0, host: '127.0.0.1', dataDir: dir, logLevel: 'silent', users: 0, groups: 0, seed: 1, tenant: 'none' });
      await second.close();
      expect(readFileSync(second.caPath, 'utf8')).toBe(ca);
      expect(statSync(second.caPath).mtimeMs).toBe(made);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
