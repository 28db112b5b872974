import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface DevCertificate {
  /** The certificate authority our processes and the browser are told to trust. */
  caPath: string;
  ca: string;
  /** The server certificate for localhost, 127.0.0.1 and ::1, signed by that authority. */
  cert: string;
  key: string;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * The emulator's HTTPS identity, made on first start and kept under `dir`, the way Teams
 * Toolkit makes a localhost development certificate. MSAL refuses `http` authorities, so
 * the emulator must speak TLS; trusting this CA (never disabling verification) is how
 * clients reach it.
 */
export async function ensureDevCertificate(dir: string): Promise<DevCertificate> {
  const caPath = path.join(dir, 'dev-ca.pem');
  const caKeyPath = path.join(dir, 'dev-ca.key.pem');
  const certPath = path.join(dir, 'localhost.pem');
  const keyPath = path.join(dir, 'localhost.key.pem');

  if ([caPath, caKeyPath, certPath, keyPath].every((p) => existsSync(p)) && stillValid(certPath)) {
    return { caPath, ca: readFileSync(caPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }

  mkdirSync(dir, { recursive: true });
  const now = new Date();
  const ca = await generate([{ name: 'commonName', value: 'Users Sync development CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY),
    notAfterDate: new Date(now.getTime() + 825 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - DAY),
    // Browsers refuse server certificates valid for more than 398 days.
    notAfterDate: new Date(now.getTime() + 397 * DAY),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });

  writeFileSync(caKeyPath, ca.private, { mode: 0o600 });
  writeFileSync(keyPath, server.private, { mode: 0o600 });
  writeFileSync(certPath, server.cert);
  writeFileSync(caPath, ca.cert); // written last: its presence means the set is complete
  return { caPath, ca: ca.cert, cert: server.cert, key: server.private };
}

function stillValid(certPath: string): boolean {
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    return new Date(cert.validTo).getTime() > Date.now() + 7 * DAY;
  } catch {
    return false;
  }
}
