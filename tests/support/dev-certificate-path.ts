import path from 'node:path';

/** Where the tests keep the emulator's development certificate (the same place `npm start` does). */
export const repositoryRoot = path.resolve(__dirname, '..', '..');
export const testCertificateDir = path.join(repositoryRoot, 'data', 'certs');
export const devCaPath = path.join(testCertificateDir, 'dev-ca.pem');
