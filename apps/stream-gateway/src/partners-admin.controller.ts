import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  NotFoundException,
  Param,
  Post,
  Put,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PartnerAgreementBodyDto, PartnerPutResultDto, PartnerRecordDto, PartnerSecretDto } from './gateway.dto';
import { Roles } from '@childledger/platform';
import { agreementProblems, PartnerAgreement } from '@childledger/partner-streams';
import { MissingKeySecretError, PartnerConflictError, PartnerStreamsService } from './partner-streams.service';

/** Administration of partners and their agreements (platform admins only). Secrets are never returned, except a new client secret once. */
@ApiTags('partners (admin)')
@ApiBearerAuth()
@Roles('admin')
@Controller('partners')
export class PartnersAdminController {
  constructor(private readonly streams: PartnerStreamsService) {}

  @Get()
  @ApiOperation({ summary: 'Every partner and its agreement' })
  @ApiOkResponse({ type: [PartnerRecordDto] })
  list() {
    return this.streams.list().map((r) => ({ ...r.agreement, managedBy: r.managedBy, updatedAt: r.updatedAt }));
  }

  @Get(':id')
  @ApiOkResponse({ type: PartnerRecordDto })
  get(@Param('id') id: string) {
    const r = this.streams.partner(id);
    if (!r) throw new NotFoundException(`no partner ${id}`);
    return { ...r.agreement, managedBy: r.managedBy, updatedAt: r.updatedAt };
  }

  @Put(':id')
  @ApiOperation({ summary: 'Create or replace an API-managed partner; returns its client secret once when created' })
  @ApiBody({ type: PartnerAgreementBodyDto })
  @ApiOkResponse({ type: PartnerPutResultDto })
  async put(@Param('id') id: string, @Body() body: Record<string, unknown>) {
    const agreement = { ...body, id };
    const problems = agreementProblems(agreement);
    if (problems.length > 0)
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: problems.map((p) => `${p.field}: ${p.message}`),
        problems,
        // The shape every API answers a broken rule with (the console shows each beside its field).
        errors: problems.map((p) => ({ field: p.field, rule: 'AGREEMENT', message: p.message })),
      });
    try {
      const { created, clientSecret } = await this.streams.putAgreement(agreement as unknown as PartnerAgreement);
      return { ...agreement, created, ...(clientSecret ? { clientSecret } : {}) };
    } catch (err) {
      if (err instanceof PartnerConflictError) throw new ConflictException(err.message);
      if (err instanceof MissingKeySecretError) throw new UnprocessableEntityException(err.message);
      throw err;
    }
  }

  @Post(':id/client-secret')
  @ApiOperation({ summary: "Rotates a partner's client secret; the new secret is returned once" })
  @ApiCreatedResponse({ type: PartnerSecretDto })
  async rotate(@Param('id') id: string) {
    const secret = await this.streams.rotateClientSecret(id);
    if (!secret) throw new NotFoundException(`no partner ${id}`);
    return { id, clientSecret: secret };
  }
}
