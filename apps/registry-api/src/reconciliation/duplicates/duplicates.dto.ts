import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

const ID = /^[A-Za-z0-9_-]{1,100}$/;

export class DuplicatePairParamsDto {
  @ApiProperty() @Matches(ID, { message: 'childId must be 1–100 letters, digits, _ or -' }) childId!: string;
  @ApiProperty() @Matches(ID, { message: 'otherChildId must be 1–100 letters, digits, _ or -' }) otherChildId!: string;
}

export class DuplicatesPageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be 1–100' })
  @Max(100, { message: 'limit must be 1–100' })
  limit?: number;
  @ApiPropertyOptional({ description: 'The `next` of the previous page' }) @IsOptional() @IsString() @MaxLength(400) after?: string;
}

export class NotSameChildDto {
  /** For auditors: why. */
  @ApiProperty({ description: 'Why: recorded with the event, for auditors; no personal data', minLength: 3, maxLength: 500 })
  @IsString()
  @MinLength(3, { message: 'reason must be 3–500 characters' })
  @MaxLength(500, { message: 'reason must be 3–500 characters' })
  reason!: string;
}

export class DuplicateFieldDto {
  @ApiProperty() field!: string;
  @ApiProperty() level!: string;
  @ApiProperty({ nullable: true, type: Boolean }) agrees!: boolean | null;
  @ApiProperty() weight!: number;
}

export class DuplicatePairSummaryDto {
  @ApiProperty() childId!: string;
  @ApiProperty() otherChildId!: string;
  @ApiProperty({ nullable: true, type: String }) communeCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) otherCommuneCode!: string | null;
  @ApiProperty({ description: 'Probability that the two records are the same child (0–1)' }) probability!: number;
  @ApiProperty({ enum: ['linked', 'review'] }) decision!: string;
  @ApiProperty() foundAt!: string;
}

export class DuplicatePairsPageDto {
  @ApiProperty({ type: [DuplicatePairSummaryDto] }) items!: DuplicatePairSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `after` for the next page; null on the last' }) next!: string | null;
}

export class DuplicateRecordDto {
  @ApiProperty() childId!: string;
  @ApiProperty() revision!: number;
  @ApiPropertyOptional() fullName?: string;
  @ApiPropertyOptional() dateOfBirth?: string;
  @ApiPropertyOptional() sex?: string;
  @ApiPropertyOptional() personalId?: string;
  @ApiPropertyOptional() motherName?: string;
  @ApiPropertyOptional() fatherName?: string;
  @ApiProperty() communeCode!: string;
  @ApiProperty() nationalIdState!: string;
  @ApiProperty({ type: [Number] }) circumstances!: number[];
}

export class DuplicatePairDto extends DuplicatePairSummaryDto {
  @ApiProperty({ type: DuplicateRecordDto }) record!: DuplicateRecordDto;
  @ApiProperty({ type: DuplicateRecordDto }) other!: DuplicateRecordDto;
  @ApiProperty({ type: [DuplicateFieldDto] }) fields!: DuplicateFieldDto[];
}

export class MergeSummaryDto {
  @ApiProperty() childId!: string;
  @ApiProperty() survivingChildId!: string;
  @ApiProperty() mergedAt!: string;
  @ApiProperty({ nullable: true, type: String }) communeCode!: string | null;
}

export class MergesPageDto {
  @ApiProperty({ type: [MergeSummaryDto] }) items!: MergeSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) next!: string | null;
}
