import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, PARTNER_CHANNELS, PARTNER_SECTORS } from '@childledger/partner-streams';

// The stream gateway's request and response shapes, for its OpenAPI document (the AsyncAPI
// document describes the same events on Kafka: docs/asyncapi.yaml).

/** OAuth 2.0 access token response (RFC 6749 §5.1). */
export class PartnerTokenDto {
  @ApiProperty() access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: string;
  @ApiProperty({ description: 'seconds' }) expires_in!: number;
  @ApiProperty({ example: 'feed' }) scope!: string;
}

/** A CloudEvent 1.0 in structured mode; `data` follows the JSON Schema `dataschema` names (GET /schemas/partners/…). */
export class PartnerCloudEventDto {
  @ApiProperty({ enum: ['1.0'] }) specversion!: string;
  @ApiProperty({ description: "The store's event id" }) id!: string;
  @ApiProperty({ example: 'urn:childledger:registry' }) source!: string;
  @ApiProperty({ example: 'vn.gov.childledger.ChildRegistered.v1' }) type!: string;
  @ApiProperty({ description: "The child's key for this partner (HMAC, 64 hex digits)", pattern: '^[0-9a-f]{64}$' }) subject!: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ enum: ['application/json'] }) datacontenttype!: string;
  @ApiProperty({ format: 'uri' }) dataschema!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The agreed fields only; null in a tombstone' })
  data!: Record<string, unknown> | null;
}

export class FeedPageDto {
  @ApiProperty({ type: [PartnerCloudEventDto] }) events!: PartnerCloudEventDto[];
  @ApiProperty({ description: 'Pass as `after` to read on (the same when nothing new came)' }) next!: string;
}

/** A partner's agreement: what it receives, where, how. */
export class PartnerAgreementDto {
  @ApiProperty({ pattern: '^[a-z][a-z0-9-]{1,39}$', description: 'Lower-case slug: URLs, topic and checkpoint names' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PARTNER_SECTORS }) sector!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    description: 'Event type → the dotted paths of `data` the partner may see (docs/partners.md)',
    example: { ChildRegistered: ['sex', 'residence.communeCode'] },
  })
  events!: Record<string, string[]>;
  @ApiProperty({ type: [String], description: '2-digit province or 5-digit commune codes; `*` for the whole country' }) jurisdictions!: string[];
  @ApiProperty({ type: [String], enum: PARTNER_CHANNELS, isArray: true }) channels!: string[];
  @ApiPropertyOptional({ minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS, description: "Days a row stays in the partner's outbox" })
  retentionDays?: number;
}

export class PartnerRecordDto extends PartnerAgreementDto {
  @ApiProperty({ enum: ['file', 'api'], description: 'file: from the version-controlled partners file (change it there); api: this API' }) managedBy!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updatedAt!: string | null;
}

/** PUT /partners/{id}: the body is the agreement without its id (the path's); anything else is refused. */
export class PartnerAgreementBodyDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PARTNER_SECTORS }) sector!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } }) events!: Record<string, string[]>;
  @ApiProperty({ type: [String] }) jurisdictions!: string[];
  @ApiProperty({ type: [String], enum: PARTNER_CHANNELS, isArray: true }) channels!: string[];
  @ApiPropertyOptional({ minimum: MIN_RETENTION_DAYS, maximum: MAX_RETENTION_DAYS }) retentionDays?: number;
}

export class PartnerPutResultDto extends PartnerAgreementDto {
  @ApiProperty({ description: 'Whether the partner is new' }) created!: boolean;
  @ApiPropertyOptional({ description: 'Only when created: the client secret, shown this once' }) clientSecret?: string;
}

export class PartnerSecretDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The new client secret, shown this once' }) clientSecret!: string;
}

export class PartnerFieldDto {
  @ApiProperty({ description: 'Dotted path in the event data', example: 'residence.communeCode' }) path!: string;
  @ApiProperty({ description: 'How the field is typed in the partner-facing schema (pseudonym: sent as the partner’s HMAC)' }) kind!: string;
  @ApiProperty({ description: 'A personal field (personal.*): sharing it needs what sharing personal data needs' }) personal!: boolean;
}

export class PartnerFieldCatalogueDto {
  @ApiProperty({ example: 'ChildRegistered' }) eventType!: string;
  @ApiProperty({ type: [PartnerFieldDto] }) fields!: PartnerFieldDto[];
}
