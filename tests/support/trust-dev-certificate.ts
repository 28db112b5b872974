import { existsSync, readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { Agent, fetch as undiciFetch, setGlobalDispatcher } from 'undici';
import { devCaPath } from './dev-certificate-path';

// Test processes trust the emulator's development CA next to the public roots, as a
// machine would after installing it; TLS verification stays on. Jest runs each test file
// in its own global scope, which Node's built-in fetch does not read its dispatcher
// from, so `fetch` is pointed at undici's with that dispatcher.
if (existsSync(devCaPath)) {
  const ca = [...tls.rootCertificates, readFileSync(devCaPath, 'utf8')];
  const dispatcher = new Agent({ connect: { ca } });
  setGlobalDispatcher(dispatcher);
  https.globalAgent.options.ca = ca;
  globalThis.fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { dispatcher, ...init })) as unknown as typeof fetch;
}
