import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MAX_NAME_LENGTH, MAX_TEXT_LENGTH, RISK_OUTCOMES, RiskOutcome, Sex } from '@childledger/domain';
import { IsCalendarDate, Text } from '../../http/validation';

const SEXES: Sex[] = ['M', 'F'];
const stripSpaces = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/\s+/g, '') : value);
const PERSONAL_ID = /^\d{12}$/;
const COMMUNE_CODE = /^\d{5}$/;

export class ChildIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  childId: string;
}

export class GroupParams extends ChildIdParams {
  @ApiProperty({ minimum: 1, maximum: 14, description: 'Special-circumstance group (Law on Children 2016, Art. 10)' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(14)
  group: number;
}

export class ResidenceDto {
  @ApiProperty({ example: '00004', description: '5-digit commune code in force on effectiveFrom' })
  @IsString()
  @Matches(COMMUNE_CODE, { message: 'communeCode must be a 5-digit commune code' })
  communeCode: string;

  @ApiProperty({ example: '2024-01-15', format: 'date' })
  @IsCalendarDate()
  effectiveFrom: string;
}

export class RegisterChildDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Chosen by the client to make a retried registration safe; generated otherwise' })
  @IsOptional()
  @IsUUID()
  childId?: string;

  @Text({ max: MAX_NAME_LENGTH, required: true, example: 'Nguyễn Thị Thu Hà', description: 'NFC or NFD; stored NFC' })
  fullName: string;

  @ApiProperty({ example: '2016-03-14', format: 'date' })
  @IsCalendarDate()
  dateOfBirth: string;

  @ApiProperty({ enum: SEXES })
  @IsIn(SEXES)
  sex: Sex;

  @ApiPropertyOptional({ example: '001316012345', description: '12 digits; checked against the date of birth and sex' })
  @IsOptional()
  @Transform(stripSpaces)
  @IsString()
  @Matches(PERSONAL_ID, { message: 'personalId must be 12 digits' })
  personalId?: string;

  @ApiProperty({ type: ResidenceDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ResidenceDto)
  residence: ResidenceDto;

  @Text({ max: MAX_NAME_LENGTH })
  motherName?: string;

  @Text({ max: MAX_NAME_LENGTH })
  fatherName?: string;

  @Text({ max: MAX_TEXT_LENGTH })
  notes?: string;
}

/** Only the fields to correct; `null` removes an optional one. */
export class ChildChangesDto {
  @ApiPropertyOptional({ maxLength: MAX_NAME_LENGTH })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.normalize('NFC').trim() : value))
  @ValidateIf((_o, v) => v !== undefined)
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  fullName?: string;

  @ApiPropertyOptional({ format: 'date' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsCalendarDate()
  dateOfBirth?: string;

  @ApiPropertyOptional({ enum: SEXES })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(SEXES)
  sex?: Sex;

  @ApiPropertyOptional({ nullable: true })
  @Transform(stripSpaces)
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString()
  @Matches(PERSONAL_ID, { message: 'personalId must be 12 digits' })
  personalId?: string | null;

  @Text({ max: MAX_NAME_LENGTH, nullable: true })
  motherName?: string | null;

  @Text({ max: MAX_NAME_LENGTH, nullable: true })
  fatherName?: string | null;

  @Text({ max: MAX_TEXT_LENGTH, nullable: true })
  notes?: string | null;
}

export class CorrectChildDetailsDto {
  @ApiProperty({ type: ChildChangesDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ChildChangesDto)
  changes: ChildChangesDto;

  @Text({ max: MAX_TEXT_LENGTH, required: true, description: 'Why: recorded with the event, for auditors; no personal data' })
  reason: string;
}

export class ChangeResidenceDto {
  @ApiProperty({ example: '00004' })
  @IsString()
  @Matches(COMMUNE_CODE, { message: 'communeCode must be a 5-digit commune code' })
  communeCode: string;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  effectiveFrom: string;
}

export class IdentifySpecialCircumstanceDto {
  @ApiProperty({ minimum: 1, maximum: 14 })
  @IsInt()
  @Min(1)
  @Max(14)
  group: number;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  effectiveFrom: string;
}

export class EndSpecialCircumstanceDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  effectiveTo: string;

  @Text({ max: MAX_TEXT_LENGTH })
  reason?: string;
}

export class IdentifyRiskDto {
  @ApiProperty({ minimum: 1, maximum: 14, description: 'The group the child risks falling into' })
  @IsInt()
  @Min(1)
  @Max(14)
  group: number;

  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  effectiveFrom: string;

  @Text({ max: MAX_TEXT_LENGTH })
  description?: string;
}

export class ResolveRiskDto {
  @ApiProperty({ format: 'date' })
  @IsCalendarDate()
  effectiveTo: string;

  @ApiProperty({ enum: RISK_OUTCOMES })
  @IsIn(RISK_OUTCOMES)
  outcome: RiskOutcome;
}

export class LinkNationalIdDto {
  @ApiProperty({ example: '001316012345' })
  @Transform(stripSpaces)
  @IsString()
  @Matches(PERSONAL_ID, { message: 'personalId must be 12 digits' })
  personalId: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  matchScore?: number;
}

export class ReasonDto {
  @Text({ max: MAX_TEXT_LENGTH, required: true, description: 'Why: recorded with the event, for auditors; no personal data' })
  reason: string;
}

export class RequestIdentityReviewDto extends ReasonDto {
  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  candidateCount?: number;
}

export class MergeChildRecordsDto extends ReasonDto {
  @ApiProperty({ format: 'uuid', description: 'The record that survives; this one becomes its duplicate' })
  @IsUUID()
  survivingChildId: string;
}

/** Commands without data still take a JSON object (empty), so unknown fields are refused. */
export class EmptyDto {}
