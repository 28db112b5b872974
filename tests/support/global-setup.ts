import { ensureDevCertificate } from '../../emulator/src/tls/dev-certificate';
import { testCertificateDir } from './dev-certificate-path';

/** Makes the emulator's development CA once, before any test process starts. */
export default async function globalSetup(): Promise<void> {
  const certificate = await ensureDevCertificate(testCertificateDir);
  // Child processes the tests start (npm start, the CLI) trust it the way npm start's children do.
  process.env.NODE_EXTRA_CA_CERTS = certificate.caPath;
}
