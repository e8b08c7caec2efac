import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import {
  CASE_OUTCOMES,
  CaseOutcome,
  CONCERN_TYPES,
  ConcernType,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  PROTECTION_LEVELS,
  ProtectionLevel,
  REPORT_CHANNELS,
  ReportChannel,
  RISK_LEVELS,
  RiskLevel,
  SECTORS,
  Sector,
  SERVICE_TYPES,
  ServiceType,
} from '@childledger/domain';
import { IsCalendarDate, IsInstant, Text } from '../../http/validation';

export class CaseIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  caseId: string;
}

export class InterventionParams extends CaseIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  interventionId: string;
}

export class OpenCaseDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the client to make a retry safe; generated otherwise' })
  @IsOptional()
  @IsUUID()
  caseId?: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  childId: string;

  @ApiProperty({ enum: REPORT_CHANNELS })
  @IsIn(REPORT_CHANNELS)
  channel: ReportChannel;

  @ApiProperty({ enum: CONCERN_TYPES })
  @IsIn(CONCERN_TYPES)
  concern: ConcernType;

  @ApiProperty({ enum: PROTECTION_LEVELS })
  @IsIn(PROTECTION_LEVELS)
  protectionLevel: ProtectionLevel;

  @ApiProperty({ example: '2026-03-01T08:30:00+07:00', description: 'When the report was received: deadlines run from here' })
  @IsInstant()
  reportedAt: string;

  @Text({ max: MAX_TEXT_LENGTH })
  description?: string;
}

export class AssessCaseDto {
  @ApiProperty({ enum: RISK_LEVELS })
  @IsIn(RISK_LEVELS)
  riskLevel: RiskLevel;

  @Text({ max: MAX_TEXT_LENGTH })
  notes?: string;
}

export class PlanInterventionDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Generated when absent' })
  @IsOptional()
  @IsUUID()
  interventionId?: string;

  @ApiProperty({ enum: SERVICE_TYPES })
  @IsIn(SERVICE_TYPES)
  serviceType: ServiceType;

  @Text({ max: MAX_NAME_LENGTH, required: true, example: 'Trung tâm Công tác xã hội Hà Nội' })
  provider: string;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  plannedStart: string;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  plannedEnd: string;
}

export class DeliverInterventionDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  deliveredOn: string;

  @Text({ max: MAX_TEXT_LENGTH })
  notes?: string;
}

export class ReferCaseDto {
  @ApiProperty({ enum: SECTORS })
  @IsIn(SECTORS)
  sector: Sector;

  @Text({ max: MAX_NAME_LENGTH, required: true })
  referredTo: string;

  @Text({ max: MAX_TEXT_LENGTH, required: true })
  reason: string;
}

export class ReviewCaseDto {
  @ApiPropertyOptional({ enum: RISK_LEVELS })
  @IsOptional()
  @IsIn(RISK_LEVELS)
  riskLevel?: RiskLevel;

  @Text({ max: MAX_TEXT_LENGTH })
  notes?: string;
}

export class CloseCaseDto {
  @ApiProperty({ enum: CASE_OUTCOMES })
  @IsIn(CASE_OUTCOMES)
  outcome: CaseOutcome;
}

export class ReopenCaseDto {
  @Text({ max: MAX_TEXT_LENGTH, required: true })
  reason: string;
}

export class AssignCaseDto {
  @ApiPropertyOptional({ description: 'The user to give the case to (their user id); absent: the user sending the request takes it' })
  @IsOptional()
  @Text({ max: MAX_NAME_LENGTH })
  assigneeId?: string;
}
