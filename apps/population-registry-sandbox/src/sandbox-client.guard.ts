import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { SandboxTokenService } from '@childledger/identity';
import { SANDBOX_TOKENS } from './sandbox.tokens';

export interface SandboxRequest {
  headers: Record<string, string | undefined>;
  sandboxClientId?: string;
}

/** The sandbox is an external system: its own bearer tokens, not the platform's users. */
@Injectable()
export class SandboxClientGuard implements CanActivate {
  constructor(@Inject(SANDBOX_TOKENS) private readonly tokens: SandboxTokenService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<SandboxRequest>();
    const match = /^Bearer (\S+)$/.exec(req.headers['authorization'] ?? '');
    if (!match?.[1]) throw new UnauthorizedException('a bearer token from POST /api/v1/oauth/token is required');
    try {
      req.sandboxClientId = await this.tokens.verify(match[1]);
    } catch {
      throw new UnauthorizedException('the access token is invalid or expired');
    }
    return true;
  }
}
