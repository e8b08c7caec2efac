import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// What GET /children/{id} and GET /cases/{id} answer: the record folded from its events (the
// deciders' state, libs/domain child.state.ts and case.state.ts) with its revision, for the OpenAPI
// document and the console's typed client.

const DATE = { type: String, format: 'date' } as const;
const INSTANT = { type: String, format: 'date-time' } as const;
/** A map of special-circumstance group (1–14) → the day since when. */
const GROUP_SINCE = { type: 'object', additionalProperties: { type: 'string', format: 'date' }, example: { '3': '2025-08-02' } } as const;

class ResidenceDto {
  @ApiProperty({ example: '00004', description: 'The commune as recorded (old or new code)' }) communeCode!: string;
  @ApiProperty(DATE) effectiveFrom!: string;
}

export class ChildStateDto {
  @ApiProperty({ enum: ['active', 'merged', 'erased'] }) status!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiPropertyOptional({ enum: ['M', 'F'], description: 'Absent only while `incomplete` holds `sex`' }) sex?: string;
  @ApiPropertyOptional({ type: [String], enum: ['sex', 'personalId'], description: 'Fields left as work to finish at registration' }) incomplete?: string[];
  @ApiProperty(INSTANT) registeredAt!: string;
  @ApiProperty({ type: ResidenceDto }) residence!: ResidenceDto;
  @ApiPropertyOptional({ description: 'Personal: absent once erased' }) fullName?: string;
  @ApiPropertyOptional(DATE) dateOfBirth?: string;
  @ApiPropertyOptional({ description: 'The number stated on the record (may be unverified)' }) personalId?: string;
  @ApiPropertyOptional() motherName?: string;
  @ApiPropertyOptional() fatherName?: string;
  @ApiPropertyOptional() notes?: string;
  @ApiPropertyOptional({ description: 'A stated number that did not fit the child, kept aside for reconciliation' }) unverifiedPersonalId?: string;
  @ApiPropertyOptional({ description: 'The number confirmed against the national population database' }) nationalId?: string;
  @ApiProperty({ enum: ['unchecked', 'linked', 'review_requested', 'no_national_record'] }) identity!: string;
  @ApiProperty({ ...GROUP_SINCE, description: 'Active special circumstances: group → since' }) circumstances!: Record<string, string>;
  @ApiProperty({ ...GROUP_SINCE, description: 'Active risks: group → since' }) risks!: Record<string, string>;
  @ApiPropertyOptional({ format: 'uuid', description: 'Set while merged' }) survivingChildId?: string;
  @ApiProperty({ description: "The stream's revision (also the ETag): send it as If-Match" }) revision!: number;
}

class PlannedInterventionDto {
  @ApiProperty() serviceType!: string;
  @ApiProperty() provider!: string;
  @ApiProperty(DATE) plannedStart!: string;
  @ApiProperty(DATE) plannedEnd!: string;
  @ApiProperty() deliveries!: number;
}

export class CaseStateDto {
  @ApiProperty({ enum: ['report_received', 'assessed', 'planned', 'implementing', 'reviewed', 'closed'] }) status!: string;
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ format: 'uuid' }) childId!: string;
  @ApiProperty() concern!: string;
  @ApiProperty() protectionLevel!: string;
  @ApiProperty(INSTANT) reportedAt!: string;
  @ApiPropertyOptional(INSTANT) assessmentDueAt?: string;
  @ApiPropertyOptional(INSTANT) planDueAt?: string;
  @ApiPropertyOptional(INSTANT) reviewDueAt?: string;
  @ApiPropertyOptional() riskLevel?: string;
  @ApiPropertyOptional({ description: 'The user who holds the case' }) assigneeId?: string;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/PlannedInterventionDto' }, description: 'Planned interventions by id' })
  interventions!: Record<string, PlannedInterventionDto>;
  @ApiProperty({ description: "The stream's revision (also the ETag): send it as If-Match" }) revision!: number;
}

/** Registered with the document so that `interventions` can refer to it. */
export const RECORD_EXTRA_MODELS = [PlannedInterventionDto];
