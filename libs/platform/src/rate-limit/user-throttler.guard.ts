import { createHash } from 'node:crypto';
import { ExecutionContext, HttpException, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerOptions, ThrottlerRequest, ThrottlerStorage } from '@nestjs/throttler';
import type { AuthenticatedUser } from '../auth/auth.types';

/** The stricter limits a route may count into besides the per-user one. */
export type UserRateLimitName = 'imports';

const USER_RATE_LIMIT = 'childledger:userRateLimit';

/** Counts the route into the named stricter limit too (e.g. `@UserRateLimit('imports')` on POST /imports). */
export const UserRateLimit = (name: UserRateLimitName) => SetMetadata(USER_RATE_LIMIT, name);

export interface UserRateLimits {
  /** Requests a minute per user, all routes together (0: no limit). */
  perMinute: number;
  /** Imports a minute per user (0: no limit). */
  importsPerMinute: number;
}

const MINUTE = 60_000;

/** Refused requests: the window's end, and which limit (for the message). */
class LimitReached extends Error {
  constructor(readonly detail: ThrottlerLimitDetail) {
    super('rate limited');
  }
}

const requestsMessage = (limit: number) => `at most ${limit} requests a minute per user`;
const MESSAGE: Record<string, (limit: number) => string> = {
  default: requestsMessage,
  imports: (limit) => `at most ${limit} imports a minute per user`,
};

/**
 * Per-user rate limits (issue 14), after authentication: the key is the authenticated user (hashed,
 * with the limit's name), the same on every route and every replica (the storage is PostgreSQL, see
 * PgThrottlerStorage), so one user's requests count together wherever they land. Requests without a
 * user (public routes: health, metrics, partner routes with their own limits) are not counted here.
 * Over the limit: 429, `Retry-After` (seconds until the window ends), and the services' error body
 * naming the rule RATE_LIMITED.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  static throttlers(limits: UserRateLimits, reflector: Reflector): ThrottlerOptions[] {
    const throttlers: ThrottlerOptions[] = [];
    // `default`: its headers carry no suffix (X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset).
    if (limits.perMinute > 0) throttlers.push({ name: 'default', ttl: MINUTE, limit: limits.perMinute });
    if (limits.importsPerMinute > 0) {
      throttlers.push({
        name: 'imports',
        ttl: MINUTE,
        limit: limits.importsPerMinute,
        skipIf: (ctx) => reflector.get<UserRateLimitName | undefined>(USER_RATE_LIMIT, ctx.getHandler()) !== 'imports',
      });
    }
    return throttlers;
  }

  static async create(limits: UserRateLimits, storage: ThrottlerStorage, reflector: Reflector): Promise<UserThrottlerGuard> {
    const guard = new UserThrottlerGuard({ throttlers: UserThrottlerGuard.throttlers(limits, reflector) }, storage, reflector);
    await guard.onModuleInit();
    return guard;
  }

  override async onModuleInit(): Promise<void> {
    // No limit configured (both 0) is a choice here, not a mistake: no warning.
    if ((this.options as { throttlers: ThrottlerOptions[] }).throttlers.length === 0) {
      this.throttlers = [];
      return;
    }
    await super.onModuleInit();
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return !context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user?.userId;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return (req['user'] as AuthenticatedUser).userId;
  }

  /** One key per user and limit, whatever the route; hashed: the table holds no user ids. */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return createHash('sha256').update(`${name}\0${tracker}`).digest('hex');
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(request);
    } catch (err) {
      if (!(err instanceof LimitReached)) throw err;
      const name = request.throttler.name ?? 'default';
      const retryAfter = Math.max(1, Math.ceil(err.detail.timeToBlockExpire));
      const { res } = this.getRequestResponse(request.context);
      this.setResponseHeader(res, 'Retry-After', retryAfter);
      const message = (MESSAGE[name] ?? requestsMessage)(request.limit);
      throw new HttpException(
        {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
          error: 'Too Many Requests',
          message,
          code: 'RATE_LIMITED',
          errors: [{ field: 'user', rule: 'RATE_LIMITED', message }],
          details: { limit: name === 'default' ? 'requests' : name, perMinute: request.limit, retryAfterSeconds: retryAfter },
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new LimitReached(detail);
  }
}
