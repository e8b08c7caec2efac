import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { errors, jwtVerify, JWTPayload } from 'jose';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { AUTH_OPTIONS, AuthenticatedUser, AuthOptions, DEFAULT_MAX_TOKEN_AGE_SECONDS, DEFAULT_TOKEN_ALGORITHMS, Role, ROLES } from './auth.types';

const PROVINCE = /^\d{2}$/;
const COMMUNE = /^\d{5}$/;

function stringArray(value: unknown, pattern: RegExp): string[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && pattern.test(v))) return null;
  return value as string[];
}

/** Reads the ChildLedger claims (`role`, `provinces`, `communes`, `name`) of a verified token. */
export function userFromClaims(payload: JWTPayload): AuthenticatedUser {
  const role = payload['role'];
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new UnauthorizedException('token has no subject');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw new UnauthorizedException(`token role must be one of ${ROLES.join(', ')}`);
  }
  const provinces = stringArray(payload['provinces'], PROVINCE);
  const communes = stringArray(payload['communes'], COMMUNE);
  if (!provinces || !communes) throw new UnauthorizedException('token provinces/communes claims must be lists of unit codes');
  if (role !== 'admin' && provinces.length === 0) throw new UnauthorizedException('token has no jurisdiction (provinces)');
  return { userId: payload.sub, name: typeof payload['name'] === 'string' ? payload['name'] : payload.sub, role: role as Role, provinces, communes };
}

/**
 * Global guard: every route needs `Authorization: Bearer <JWT>` signed by the configured issuer
 * (401 otherwise), and the role the route names (403 otherwise). Jurisdiction depends on the
 * data a request touches, so handlers check it with `canActOn`.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /**
   * Tokens already verified, by their exact text (signature included, so nothing forged can hit),
   * until they expire: a client sends the same token with every request, and the signature check
   * is the costliest step of a request. Bounded; the oldest entries go first.
   */
  private readonly verified = new Map<string, { user: AuthenticatedUser; expiresAt: number }>();
  private static readonly MAX_CACHED = 10_000;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: AuthenticatedUser }>();
    const header = req.headers['authorization'] ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    const user = await this.verify(match[1]!);
    req.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenException(`role ${user.role} may not do this (allowed: ${roles.join(', ')})`);
    }
    return true;
  }

  private async verify(token: string): Promise<AuthenticatedUser> {
    const cached = this.verified.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached.user;
    if (cached) this.verified.delete(token);
    let payload: JWTPayload;
    const maxAge = this.options.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
    try {
      ({ payload } = await jwtVerify(token, this.options.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...(this.options.algorithms ?? DEFAULT_TOKEN_ALGORITHMS)],
        // A token with no expiry would be valid for ever; one issued too long ago is refused too.
        requiredClaims: ['exp', 'iat'],
        maxTokenAge: maxAge,
      }));
    } catch (err) {
      throw new UnauthorizedException(refusalReason(err));
    }
    const user = userFromClaims(payload);
    if (this.verified.size >= AuthGuard.MAX_CACHED) this.verified.delete(this.verified.keys().next().value!);
    // Remembered until it expires or grows too old, whichever comes first.
    this.verified.set(token, { user, expiresAt: Math.min(payload.exp! * 1000, (payload.iat! + maxAge) * 1000) });
    return user;
  }
}

/** What a refused token is told: the rule it broke, never the token's content. */
function refusalReason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return err.claim === 'iat' ? 'token is too old (issued longer ago than the maximum token age)' : 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed && err.reason === 'missing' && (err.claim === 'exp' || err.claim === 'iat')) {
    return `token must carry ${err.claim === 'exp' ? 'an expiry (exp)' : 'its issue time (iat)'}`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'token is signed with an algorithm this service does not accept';
  return 'token is not valid for this service';
}
