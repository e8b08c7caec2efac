import { ApiProperty } from '@nestjs/swagger';

export class AuditActorDto {
  @ApiProperty({ nullable: true, type: String }) userId!: string | null;
  @ApiProperty({ nullable: true, type: String }) role!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Unit code the actor worked for' }) unit!: string | null;
}

/** One event of the audit trail: who, what, when, why and its correlation id. */
export class AuditEntryDto {
  @ApiProperty({ description: 'Global position in the log' }) position!: number;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ example: 'ChildDetailsCorrected' }) eventType!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ nullable: true, type: String }) childId!: string | null;
  @ApiProperty({ nullable: true, type: String }) caseId!: string | null;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ nullable: true, type: String }) correlationId!: string | null;
  @ApiProperty({ nullable: true, type: String }) causationId!: string | null;
  @ApiProperty() personalDataErased!: boolean;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true, description: "The event's data without its personal part" })
  summary!: Record<string, unknown> | null;
}

export class AuditTrailPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last' }) nextCursor!: string | null;
}

/** One read of personal data (or one inspection query): who, when, why, what. */
export class ReadAuditEntryDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ type: [String], description: "The reader's communes, or provinces" }) userUnits!: string[];
  @ApiProperty({ enum: ['case_work', 'reconciliation', 'inspection', 'statistics', 'data_correction'] }) purpose!: string;
  @ApiProperty({ example: 'child', description: 'child, case, import; audit_trail, read_audit, log_integrity, event_proof for inspections' })
  resourceType!: string;
  @ApiProperty() resourceId!: string;
  @ApiProperty({ nullable: true, type: String }) childId!: string | null;
  @ApiProperty({ example: 'current', description: 'current, timeline, as_of_<time>:<date>, search:<filters>, export:<filters>…' }) view!: string;
  @ApiProperty({ nullable: true, type: String }) correlationId!: string | null;
}

export class ReadAuditPageDto {
  @ApiProperty({ type: [ReadAuditEntryDto] }) items!: ReadAuditEntryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last' }) nextCursor!: string | null;
}

export class CheckpointSummaryDto {
  @ApiProperty({ description: 'Events the checkpoint covers (chain position of its last event)' }) seq!: number;
  @ApiProperty({ description: 'Store checkpoint of its last event (transaction:position)' }) position!: string;
  @ApiProperty({ format: 'date-time' }) sealedAt!: string;
  @ApiProperty({ example: 'ed25519:0123456789abcdef' }) keyId!: string;
}

export class IntegrityProblemDto {
  @ApiProperty({ enum: ['signature', 'order', 'content', 'chain-table', 'checkpoint', 'missing-checkpoint'] }) kind!: string;
  @ApiProperty({ nullable: true, type: Number }) seq!: number | null;
  @ApiProperty({ nullable: true, type: String }) position!: string | null;
  @ApiProperty({ nullable: true, type: String }) eventId!: string | null;
  @ApiProperty() message!: string;
}

export class TrustedKeyDto {
  @ApiProperty() keyId!: string;
  @ApiProperty({
    enum: ['configured', 'database'],
    description: 'configured: CHILDLEDGER_TRUSTED_SEAL_KEYS; database: as listed by log_seal_keys (compare with the published key)',
  })
  source!: string;
}

/** Whether verify-log passes up to the last signed checkpoint, as this service last checked it. */
export class IntegrityStatusDto {
  @ApiProperty({ enum: ['passed', 'failed', 'no_checkpoint'] }) status!: string;
  @ApiProperty({ format: 'date-time', description: 'When the check ran (it runs at most once every 30 seconds per server)' }) checkedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, type: CheckpointSummaryDto }) lastCheckpoint!: CheckpointSummaryDto | null;
  @ApiProperty({ description: 'Events read from the log' }) events!: number;
  @ApiProperty({ description: 'Events covered by a verified checkpoint' }) sealed!: number;
  @ApiProperty({ description: 'Events newer than the last checkpoint (checked against the chain table only)' }) unsealed!: number;
  @ApiProperty() checkpoints!: number;
  @ApiProperty({ type: [IntegrityProblemDto] }) problems!: IntegrityProblemDto[];
  @ApiProperty({ type: [TrustedKeyDto] }) trustedKeys!: TrustedKeyDto[];
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

export class SealedCheckpointDto {
  @ApiProperty() seq!: number;
  @ApiProperty() head!: string;
  @ApiProperty() position!: string;
  @ApiProperty() sealedAt!: string;
  @ApiProperty() keyId!: string;
  @ApiProperty() signature!: string;
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
