import { randomBytes, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export interface SandboxClient {
  clientId: string;
  clientSecret: string;
}

export class InvalidClientError extends Error {
  constructor() {
    super('invalid client credentials');
    this.name = 'InvalidClientError';
  }
}

const ISSUER = 'urn:childledger:population-registry-sandbox';
const AUDIENCE = 'urn:childledger:population-registry-sandbox:data-sharing';

/**
 * OAuth2 client-credentials tokens of the sandbox (RFC 6749 §4.4): short-lived HS256 JWTs signed
 * with a key made at start, so the sandbox verifies its own tokens and a restart invalidates them,
 * like a real remote service rotating keys.
 */
export class SandboxTokenService {
  private readonly key = randomBytes(32);

  constructor(
    private readonly clients: readonly SandboxClient[],
    readonly ttlSeconds = 300,
  ) {}

  async issue(clientId: string, clientSecret: string): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client || !sameSecret(client.clientSecret, clientSecret)) throw new InvalidClientError();
    const token = await new SignJWT({ scope: 'residents:search residents:lookup residents:verify' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(clientId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds };
  }

  /** The client id of a valid token; throws otherwise. */
  async verify(token: string): Promise<string> {
    const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (!payload.sub) throw new Error('token without subject');
    return payload.sub;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
