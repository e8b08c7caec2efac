import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Inject,
  NotFoundException,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { InvalidClientError, SandboxResidentsStore, SandboxTokenService, SearchTooBroadError } from '@childledger/identity';
import { Public } from '@childledger/platform';
import {
  LookupResidentDto,
  ResidentLookupResultDto,
  ResidentSearchResultDto,
  ResidentVerifyResultDto,
  SandboxTokenDto,
  SearchResidentsDto,
  TokenRequestDto,
  VerifyResidentDto,
} from './sandbox.dto';
import { SandboxClientGuard, SandboxRequest } from './sandbox-client.guard';
import { SandboxFaultsInterceptor } from './sandbox-faults.interceptor';
import { SANDBOX_STORE, SANDBOX_TOKENS } from './sandbox.tokens';

// The sandbox stands for an external system: the platform's user guard does not apply (@Public);
// its data routes are protected by its own client-credentials tokens.
@ApiTags('token')
@Public()
@Controller('oauth')
export class SandboxTokenController {
  constructor(@Inject(SANDBOX_TOKENS) private readonly tokens: SandboxTokenService) {}

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'OAuth2 client-credentials token (HTTP Basic or client_id/client_secret in the form)' })
  @ApiOkResponse({ type: SandboxTokenDto })
  async token(@Body() body: TokenRequestDto, @Req() req: SandboxRequest, @Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    if (body.grant_type !== 'client_credentials')
      throw new BadRequestException({ error: 'unsupported_grant_type', message: 'grant_type must be client_credentials' });
    let clientId = body.client_id;
    let clientSecret = body.client_secret;
    const basic = /^Basic (\S+)$/.exec(req.headers['authorization'] ?? '');
    if (basic?.[1]) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    try {
      return await this.tokens.issue(clientId ?? '', clientSecret ?? '');
    } catch (err) {
      if (err instanceof InvalidClientError) {
        res.setHeader('WWW-Authenticate', 'Basic realm="population-registry-sandbox"');
        throw new UnauthorizedException({ error: 'invalid_client', message: 'unknown client or wrong secret' });
      }
      throw err;
    }
  }
}

@ApiTags('residents')
@Public()
@UseGuards(SandboxClientGuard)
@UseInterceptors(SandboxFaultsInterceptor)
@Controller('residents')
export class SandboxResidentsController {
  constructor(@Inject(SANDBOX_STORE) private readonly residents: SandboxResidentsStore) {}

  @Post('search')
  @HttpCode(200)
  @ApiOperation({ summary: 'Candidate residents matching every criterion (at least two, one a name or a date)' })
  @ApiOkResponse({ type: ResidentSearchResultDto })
  async search(@Body() body: SearchResidentsDto) {
    const { limit, ...criteria } = body;
    try {
      return { residents: await this.residents.search(criteria, limit ?? 20) };
    } catch (err) {
      if (err instanceof SearchTooBroadError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  @Post('lookup')
  @HttpCode(200)
  @ApiOperation({ summary: 'The resident holding a personal ID (404 if none)' })
  @ApiOkResponse({ type: ResidentLookupResultDto })
  async lookup(@Body() body: LookupResidentDto) {
    const resident = await this.residents.lookup(body.personalId);
    if (!resident) throw new NotFoundException('no resident holds this personal ID');
    return { resident };
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Yes/no: do the stated details agree with the resident holding this personal ID?' })
  @ApiOkResponse({ type: ResidentVerifyResultDto })
  async verify(@Body() body: VerifyResidentDto) {
    const { personalId, ...details } = body;
    return { match: await this.residents.verify(personalId, details) };
  }
}
