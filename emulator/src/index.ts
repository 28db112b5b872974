export { startEmulator, type RunningEmulator } from './server';
export { readEmulatorSettings, type EmulatorSettings } from './config';
export { ensureDevCertificate, type DevCertificate } from './tls/dev-certificate';
