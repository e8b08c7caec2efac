import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';
import type { AuthenticatedUser, AuthOptions } from './auth.types';

export const DEV_AUDIENCE = 'childledger';

/** The seeded users of the development issuer (Ba Đình ward, Hà Nội). */
export const DEV_USERS = {
  communeOfficer: { userId: 'dev-commune-officer', name: 'Cán bộ phường Ba Đình', role: 'data_officer', provinces: ['01'], communes: ['00004'] },
  provinceCaseWorker: { userId: 'dev-province-case-worker', name: 'Cán bộ quản lý ca Hà Nội', role: 'case_worker', provinces: ['01'], communes: [] },
  provinceInspector: { userId: 'dev-province-inspector', name: 'Thanh tra Sở Hà Nội', role: 'inspector', provinces: ['01'], communes: [] },
  admin: { userId: 'dev-admin', name: 'Quản trị hệ thống', role: 'admin', provinces: [], communes: [] },
} satisfies Record<string, AuthenticatedUser>;

export type DevUserName = keyof typeof DEV_USERS;

/**
 * A development token issuer: an ES256 key made at start, its public JWKS, and tokens for the
 * seeded users. It exists for `npm start` and tests; production points AUTH_JWKS_URL and
 * AUTH_ISSUER at a real OIDC provider that puts the same claims in its tokens.
 */
export class DevIssuer {
  private constructor(
    readonly issuer: string,
    private readonly privateKey: KeyLike,
    readonly jwks: { keys: JWK[] },
  ) {}

  static async create(issuer = 'urn:childledger:dev-issuer'): Promise<DevIssuer> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
    return new DevIssuer(issuer, privateKey, { keys: [jwk] });
  }

  /** The private signing key as a JWK (same `kid`), for the issuer's OpenID Connect provider. */
  async signingJwk(): Promise<JWK> {
    const { kid, alg, use } = this.jwks.keys[0]!;
    return { ...(await exportJWK(this.privateKey)), kid, alg, use };
  }

  /** Verification options for services that trust this issuer in-process. */
  authOptions(audience = DEV_AUDIENCE): AuthOptions {
    return { issuer: this.issuer, audience, keys: createLocalJWKSet(this.jwks) };
  }

  async tokenFor(user: AuthenticatedUser, options: { audience?: string; expiresIn?: string; issuer?: string } = {}): Promise<string> {
    return new SignJWT({ name: user.name, role: user.role, provinces: user.provinces, communes: user.communes })
      .setProtectedHeader({ alg: 'ES256', kid: this.jwks.keys[0]!.kid })
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? DEV_AUDIENCE)
      .setSubject(user.userId)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '12h')
      .sign(this.privateKey);
  }
}
