import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@childledger/platform';
import { isPersonalPath, SHAREABLE_FIELDS } from '@childledger/partner-streams';
import { PartnerFieldCatalogueDto } from './gateway.dto';

/** The fields an agreement may name, per event type (the console's agreement editor offers exactly these). Platform admins only. */
@ApiTags('partners (admin)')
@ApiBearerAuth()
@Roles('admin')
@Controller('partner-fields')
export class PartnerFieldsController {
  @Get()
  @ApiOperation({ summary: 'Every event type a partner may receive and the fields of each it may be given' })
  @ApiOkResponse({ type: [PartnerFieldCatalogueDto] })
  catalogue(): PartnerFieldCatalogueDto[] {
    return Object.entries(SHAREABLE_FIELDS).map(([eventType, fields]) => ({
      eventType,
      fields: Object.entries(fields).map(([path, spec]) => ({ path, kind: spec.kind, personal: isPersonalPath(path) })),
    }));
  }
}
