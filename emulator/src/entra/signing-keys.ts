import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { SignJWT, exportJWK, importPKCS8, importSPKI, jwtVerify, type JWTPayload, type KeyLike } from 'jose';

export interface PublicJwk {
  kty: string;
  use: 'sig';
  kid: string;
  x5t: string;
  n: string;
  e: string;
  /** The key's certificate chain (base64 DER), as Entra publishes it (https://learn.microsoft.com/entra/identity-platform/access-tokens, "Validate the signature"). */
  x5c: string[];
  alg: 'RS256';
  issuer?: string;
}

/** The emulator's token-signing key (one RSA key per run), published as JWKS like Entra's. */
export class SigningKeys {
  private constructor(
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    readonly jwk: PublicJwk,
  ) {}

  static async create(): Promise<SigningKeys> {
    // A self-signed certificate carries the key, so the JWKS can publish `x5c` like Entra's.
    const now = Date.now();
    const pems = await generate([{ name: 'commonName', value: 'accounts.accesscontrol.windows.net' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 86_400_000),
      notAfterDate: new Date(now + 365 * 86_400_000),
    });
    const privateKey = await importPKCS8(pems.private, 'RS256');
    const publicKey = await importSPKI(pems.public, 'RS256');
    const exported = await exportJWK(publicKey);
    const certificate = new X509Certificate(pems.cert);
    // Entra's kid and x5t are the certificate's SHA-1 thumbprint, base64url.
    const thumbprint = Buffer.from(certificate.fingerprint.replace(/:/g, ''), 'hex').toString('base64url');
    return new SigningKeys(privateKey, publicKey, {
      kty: 'RSA',
      use: 'sig',
      kid: thumbprint,
      x5t: thumbprint,
      n: exported.n!,
      e: exported.e!,
      x5c: [certificate.raw.toString('base64')],
      alg: 'RS256',
    });
  }

  sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.jwk.kid, x5t: this.jwk.x5t }).sign(this.privateKey);
  }

  /** Verifies signature and lifetime; the caller checks audience and issuer (to answer Graph's exact errors). */
  async verify(token: string, at?: Date): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], clockTolerance: 5, ...(at ? { currentDate: at } : {}) });
    return payload;
  }
}
