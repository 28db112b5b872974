import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWTPayload, type KeyLike } from 'jose';

export interface PublicJwk {
  kty: string;
  use: 'sig';
  kid: string;
  x5t: string;
  n: string;
  e: string;
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
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const exported = await exportJWK(publicKey);
    const kid = randomBytes(20).toString('base64url');
    return new SigningKeys(privateKey, publicKey, { kty: 'RSA', use: 'sig', kid, x5t: kid, n: exported.n!, e: exported.e!, alg: 'RS256' });
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
