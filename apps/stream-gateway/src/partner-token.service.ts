import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

export const PARTNER_TOKEN_AUDIENCE = 'childledger-partner-feed';
export const PARTNER_TOKEN_ISSUER = 'urn:childledger:stream-gateway';

/**
 * Short-lived access tokens for partners (OAuth 2.0 client credentials), signed by the gateway's
 * own key (HS256): only the gateway issues and verifies them, so there is no need for a public
 * key; every replica shares PARTNER_TOKEN_SECRET.
 */
export class PartnerTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string | undefined,
    readonly ttlSeconds = 300,
  ) {
    this.key = secret ? new TextEncoder().encode(secret) : randomBytes(32);
  }

  issue(partnerId: string): Promise<string> {
    return new SignJWT({ scope: 'feed' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(partnerId)
      .setIssuer(PARTNER_TOKEN_ISSUER)
      .setAudience(PARTNER_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The partner id of a valid token; throws with a reason otherwise. */
  async verify(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: PARTNER_TOKEN_ISSUER, audience: PARTNER_TOKEN_AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string') throw new Error('no subject');
      return payload.sub;
    } catch (err) {
      throw new Error(err instanceof errors.JWTExpired ? 'token expired' : 'token is not a valid partner token');
    }
  }
}
