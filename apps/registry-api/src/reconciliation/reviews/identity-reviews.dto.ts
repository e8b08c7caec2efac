import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** GET /reconciliation/reviews: a commune of your jurisdiction (optional), a page size and the previous page's cursor. */
export class IdentityReviewQueueQueryDto {
  @ApiPropertyOptional({ description: 'A commune code in force today (5 digits); default: your whole jurisdiction', example: '00004' })
  @IsOptional()
  @Matches(/^\d{5}$/, { message: 'commune must be a commune code of 5 digits' })
  commune?: string;

  @ApiPropertyOptional({ description: '1 to 100, default 20' })
  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be an integer from 1 to 100' })
  limit?: string;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  after?: string;
}

export class IdentityReviewDecisionDto {
  /** For auditors: why. No personal data. */
  @ApiProperty({ minLength: 3, maxLength: 500 })
  @IsString()
  @MinLength(3, { message: 'reason must be at least 3 characters' })
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  reason!: string;
}

export class AcceptIdentityCandidateDto extends IdentityReviewDecisionDto {
  @ApiProperty({ description: "The chosen candidate's personal ID (12 digits)", example: '001216012345' })
  @Matches(/^\d{12}$/, { message: 'personalId must be 12 digits' })
  personalId!: string;
}

export class IdentityReviewParamsDto {
  @ApiProperty({ description: "The child's id" })
  @Matches(/^[A-Za-z0-9_-]{1,100}$/, { message: 'childId must be 1–100 letters, digits, _ or -' })
  childId!: string;
}

/** One row of the queue: no personal data (ids, commune, when, how many candidates, the best probability). */
export class IdentityReviewSummaryDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ description: "The commune of the child's current residence, in force today" }) communeCode!: string;
  @ApiProperty({ nullable: true, type: String }) communeName!: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty() candidateCount!: number;
  @ApiProperty({ nullable: true, type: Number, description: "The best candidate's probability, 0 to 1" }) bestProbability!: number | null;
}

export class IdentityReviewQueueDto {
  @ApiProperty({ type: [IdentityReviewSummaryDto] }) items!: IdentityReviewSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Cursor of the next page; null on the last' }) next!: string | null;
}

/** The compared details of one side. */
export class ReviewPersonDto {
  @ApiPropertyOptional() fullName?: string;
  @ApiPropertyOptional({ description: 'YYYY-MM-DD, YYYY-MM or YYYY' }) dateOfBirth?: string;
  @ApiPropertyOptional({ enum: ['M', 'F'] }) sex?: 'M' | 'F';
  @ApiPropertyOptional() personalId?: string;
  @ApiPropertyOptional() communeCode?: string;
  @ApiPropertyOptional() communeName?: string;
  @ApiPropertyOptional() fatherName?: string;
  @ApiPropertyOptional() motherName?: string;
}

export const REVIEW_FIELDS = ['name', 'dateOfBirth', 'sex', 'personalId', 'place', 'father', 'mother'] as const;
export const AGREEMENTS = ['agree', 'partial', 'disagree', 'missing'] as const;

/** One field of one candidate as the matcher compared it. */
export class ReviewFieldDto {
  @ApiProperty({ enum: REVIEW_FIELDS }) field!: (typeof REVIEW_FIELDS)[number];
  @ApiProperty({ description: "The comparison level's id (exact, day_month_swapped, ...), or missing" }) level!: string;
  @ApiProperty({ description: 'The level in English words' }) description!: string;
  @ApiProperty({
    enum: AGREEMENTS,
    description:
      'agree: identical; partial: close (a counted agreement short of identical, or a difference that still adds weight); disagree; missing: one side does not state it',
  })
  agreement!: (typeof AGREEMENTS)[number];
  @ApiProperty({ description: 'Contribution to the match weight, in bits' }) weight!: number;
}

export class ReviewCandidateDto {
  @ApiProperty() personalId!: string;
  @ApiProperty({ description: 'Probability that this candidate is the child, 0 to 1' }) probability!: number;
  @ApiProperty({ description: 'Match weight in bits: the sum of the field weights' }) weight!: number;
  @ApiProperty({
    type: ReviewPersonDto,
    nullable: true,
    description: "The candidate's details from the national database; null on reviews opened before they were kept",
  })
  person!: ReviewPersonDto | null;
  @ApiProperty({ type: [ReviewFieldDto] }) fields!: ReviewFieldDto[];
}

/** A review with the record and each candidate, field by field: personal data (purpose, read audit). */
export class IdentityReviewDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ description: "The child's revision: send it as If-Match with a decision" }) revision!: number;
  @ApiProperty() communeCode!: string;
  @ApiProperty({ nullable: true, type: String }) communeName!: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ description: 'Why the adapter asked an officer (English, no personal data)' }) reason!: string;
  @ApiProperty({ nullable: true, type: Number, description: "The best candidate's probability" }) probability!: number | null;
  @ApiProperty({ type: ReviewPersonDto }) record!: ReviewPersonDto;
  @ApiProperty({ type: [ReviewCandidateDto], description: 'Best first' }) candidates!: ReviewCandidateDto[];
}
