import { Body, Controller, Headers, HttpCode, HttpException, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PartnerTokenDto } from './gateway.dto';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Public } from '@childledger/platform';
import { PartnerThrottlerGuard } from './partner.guard';
import { PartnerStreamsService } from './partner-streams.service';

export class TokenRequestDto {
  @IsIn(['client_credentials'], { message: 'grant_type must be client_credentials' }) grant_type!: string;
  @IsOptional() @IsString() @MaxLength(100) client_id?: string;
  @IsOptional() @IsString() @MaxLength(200) client_secret?: string;
  @IsOptional() @IsString() @MaxLength(200) scope?: string;
}

/** OAuth 2.0 error response (RFC 6749 §5.2). */
class OAuthError extends HttpException {
  constructor(status: number, error: string, description: string) {
    super({ error, error_description: description }, status);
  }
}

/** OAuth 2.0 client credentials for partners: client id and secret (form, JSON or HTTP Basic) → a short-lived access token. */
@ApiTags('partner feeds')
@Public() // partners are not platform users: their credentials are checked here
@UseGuards(PartnerThrottlerGuard)
@Controller('partners/oauth')
export class TokenController {
  constructor(private readonly streams: PartnerStreamsService) {}

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Client credentials → access token (expires_in seconds)' })
  @ApiOkResponse({ type: PartnerTokenDto })
  async token(@Body() body: TokenRequestDto, @Headers('authorization') authorization?: string) {
    let clientId = body.client_id;
    let clientSecret = body.client_secret;
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        clientId = decodeURIComponent(decoded.slice(0, i));
        clientSecret = decodeURIComponent(decoded.slice(i + 1));
      }
    }
    if (!clientId || !clientSecret) throw new OAuthError(400, 'invalid_request', 'client_id and client_secret are required (body or HTTP Basic)');
    if (!(await this.streams.authenticate(clientId, clientSecret))) throw new OAuthError(401, 'invalid_client', 'unknown client or wrong secret');
    const tokens = this.streams.options.tokens;
    return { access_token: await tokens.issue(clientId), token_type: 'Bearer', expires_in: tokens.ttlSeconds, scope: 'feed' };
  }
}
