import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// The OpenAPI shapes of a signed checkpoint, an inclusion proof and the published seal keys, for
// every service that serves them (the log sealer, the query API's inspection routes).

export class SealedCheckpointDto {
  @ApiProperty({ description: 'Events the checkpoint covers (chain position of its last event)' }) seq!: number;
  @ApiProperty({ description: 'Chain head after event seq (hex)' }) head!: string;
  @ApiProperty({ description: 'Store checkpoint of event seq (transaction:position)' }) position!: string;
  @ApiProperty({ format: 'date-time' }) sealedAt!: string;
  @ApiProperty({ example: 'ed25519:0123456789abcdef' }) keyId!: string;
  @ApiProperty({ description: 'Ed25519 signature (base64)' }) signature!: string;
}

export class StoredEventRowDto {
  @ApiProperty() position!: string;
  @ApiProperty() transactionId!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty() streamRevision!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty() schemaVersion!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty({ description: 'The stored jsonb text (personal data encrypted)' }) data!: string;
  @ApiProperty() metadata!: string;
}

/** An inclusion proof (docs/trust.md): check it with `npm run cli -- verify-proof FILE --public-key …`. */
export class InclusionProofDto {
  @ApiProperty({ enum: [1] }) version!: 1;
  @ApiProperty() seq!: number;
  @ApiProperty({ type: StoredEventRowDto }) record!: StoredEventRowDto;
  @ApiProperty() previousHash!: string;
  @ApiProperty({ type: [String] }) followingDigests!: string[];
  @ApiProperty({ type: SealedCheckpointDto }) checkpoint!: SealedCheckpointDto;
}

class CurrentSealKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'Ed25519 public key, raw 32 bytes, base64' }) publicKey!: string;
}

class SealKeyListingDto extends CurrentSealKeyDto {
  @ApiProperty({ format: 'date-time' }) firstUsedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Keys other than the current one: the seq of the last checkpoint it signed (null: none)' })
  lastSignedSeq?: number | null;
  @ApiPropertyOptional({ description: '`--public-key` for verify-log / verify-proof: `<base64>@<lastSignedSeq>`' }) publicKeyArgument?: string;
}

export class SealKeysDto {
  @ApiProperty({ type: CurrentSealKeyDto }) current!: CurrentSealKeyDto;
  @ApiProperty({ type: [SealKeyListingDto] }) keys!: SealKeyListingDto[];
}
