import { Controller, Get, Header, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@childledger/platform';
import { partnerSchemaFiles, SCHEMA_BASE } from '@childledger/partner-streams';

const FILES = partnerSchemaFiles();

/**
 * The published JSON Schemas of the partner events, at the path their `dataschema` URL names under
 * SCHEMA_BASE (the Ingress maps that host to this route). A contract, not data: no personal field,
 * no token needed, cacheable.
 */
@ApiTags('partner feeds')
@Public()
@Controller('schemas/partners')
export class SchemasController {
  @Get(':name/:file')
  @ApiOperation({ summary: `JSON Schema of a partner event's data (${SCHEMA_BASE}/<name>/v<N>.json)` })
  @Header('content-type', 'application/schema+json; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  @ApiOkResponse({
    description: 'A JSON Schema (draft-07)',
    content: { 'application/schema+json': { schema: { type: 'object', additionalProperties: true } } },
  })
  schema(@Param('name') name: string, @Param('file') file: string): Record<string, unknown> {
    const schema = FILES[`${name}/${file}`];
    if (!schema) throw new NotFoundException(`no partner schema ${name}/${file}; published: ${Object.keys(FILES).sort().join(', ')}`);
    return schema;
  }
}
