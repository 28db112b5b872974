import { spawn } from 'node:child_process';
import path from 'node:path';

export interface EmulatorProcess {
  url: string;
  app: { clientId: string; clientSecret: string };
  stop: () => void;
}

/** The built command-line emulator in its own process, empty, ready once it prints its JSON line. `args` adds flags (e.g. `--latency off`). */
export async function startEmulatorProcess(root: string, args: string[] = []): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [path.join(root, 'emulator', 'dist', 'cli.js'), '--port', '0', '--empty', '--log-level', 'silent', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) resolve(buffer.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  const ready = JSON.parse(line) as { url: string; clientId: string; clientSecret: string };
  let stopping = false;
  // A benchmark whose emulator dies says so, rather than failing later on a closed connection.
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`the emulator exited unexpectedly (code ${code}, signal ${signal})\n`);
  });
  return {
    url: ready.url,
    app: { clientId: ready.clientId, clientSecret: ready.clientSecret },
    stop: () => {
      stopping = true;
      child.kill();
    },
  };
}
