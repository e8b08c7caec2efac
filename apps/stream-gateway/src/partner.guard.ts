import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { PartnerAgreement } from '@childledger/partner-streams';
import { PartnerStreamsService } from './partner-streams.service';

export interface PartnerRequest {
  headers: Record<string, string | undefined>;
  params: Record<string, string | undefined>;
  ip?: string;
  partner?: PartnerAgreement;
}

/**
 * Partner routes: a partner access token (from POST /partners/oauth/token) is required (401), and
 * the feed in the path must be the token's own partner with the http channel (403).
 */
@Injectable()
export class PartnerGuard implements CanActivate {
  constructor(private readonly streams: PartnerStreamsService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<PartnerRequest>();
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers['authorization'] ?? '');
    if (!match) throw new UnauthorizedException('a partner access token is required (Authorization: Bearer <token> from POST /api/v1/partners/oauth/token)');
    let partnerId: string;
    try {
      partnerId = await this.streams.options.tokens.verify(match[1]!);
    } catch (err) {
      throw new UnauthorizedException((err as Error).message);
    }
    const record = this.streams.partner(partnerId);
    if (!record) throw new UnauthorizedException('the token names no current partner');
    req.partner = record.agreement;
    const wanted = req.params['partner'];
    if (wanted !== undefined && wanted !== partnerId) throw new ForbiddenException(`partner ${partnerId} may not read the feed of ${wanted}`);
    if (!record.agreement.channels.includes('http')) throw new ForbiddenException(`partner ${partnerId}'s agreement has no http channel`);
    return true;
  }
}

/** Rate limit per partner (per client address before authentication, e.g. on the token endpoint). */
@Injectable()
export class PartnerThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as PartnerRequest;
    const partner = r.partner;
    return partner ? `partner:${partner.id}` : `ip:${String(r.ip)}`;
  }
}
