import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { IndicatorResponseDto } from './indicators.dto';

// POST/GET /indicators/publications (docs/indicators.md, "Published figures").

/** The indicators query to freeze (the parameters of GET /indicators), and what the publication is. */
export class PublishIndicatorsDto {
  @ApiProperty({ example: '01', description: 'as GET /indicators: a province, a commune, or VN (admins)' })
  @IsOptional()
  @IsString()
  unit?: string;
  @ApiPropertyOptional({ example: '2026', description: 'as GET /indicators; required unless series is given' }) @IsOptional() @IsString() period?: string;
  @ApiPropertyOptional({ enum: ['year', 'quarter', 'month'] }) @IsOptional() @IsString() series?: string;
  @ApiPropertyOptional({ example: '2026-01' }) @IsOptional() @IsString() from?: string;
  @ApiPropertyOptional({ example: '2026-12' }) @IsOptional() @IsString() to?: string;
  @ApiPropertyOptional({ format: 'date', description: 'which unit list (old units before 2025-07-01)' }) @IsOptional() @IsString() unitsOn?: string;
  @ApiPropertyOptional({ example: 'commune,sex' }) @IsOptional() @IsString() by?: string;
  @ApiProperty({ example: 'Báo cáo năm 2026 gửi Bộ', description: '1 to 200 characters' }) @IsOptional() @IsString() title?: string;
  @ApiPropertyOptional({ description: 'at most 2,000 characters' }) @IsOptional() @IsString() note?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the publication this one corrects (publications are never changed)' })
  @IsOptional()
  @IsString()
  supersedes?: string;
}

export class PublicationReferenceVersionsDto {
  @ApiProperty({ nullable: true, type: Number, description: "The targets' version the unit's figures used" }) target!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: "The populations' version the unit's figures used" }) population!: number | null;
  @ApiProperty({ description: 'The latest targets version when published (a recompute uses versions up to it)' }) targetInForce!: number;
  @ApiProperty({ description: 'The latest populations version when published' }) populationInForce!: number;
}

/** A publication without its figures (lists). */
export class PublicationSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The publication this one corrects' }) supersedes!: string | null;
  @ApiProperty({ type: [String], description: 'Later publications that correct this one' }) supersededBy!: string[];
  @ApiProperty({ example: '01' }) unitCode!: string;
  @ApiProperty({ example: '2026', description: 'The period, or first…last of a series' }) periodLabel!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'The parameters of GET /indicators it froze' })
  query!: Record<string, string>;
  @ApiProperty({ example: '1234:5678', description: "The indicators projection's checkpoint the figures reflect (opaque)" }) logPosition!: string;
  @ApiProperty({ example: 5678, description: 'Its global log position' }) logPositionNumber!: number;
  @ApiProperty({ type: PublicationReferenceVersionsDto }) referenceVersions!: PublicationReferenceVersionsDto;
  @ApiProperty() publishedBy!: string;
  @ApiProperty() publishedByRole!: string;
  @ApiProperty({ format: 'date-time', description: 'Recorded time (UTC, microseconds)' }) publishedAt!: string;
}

/** A publication with its frozen figures (exactly as GET /indicators answered when it was published). */
export class PublicationDto extends PublicationSummaryDto {
  @ApiProperty({ type: IndicatorResponseDto }) figures!: IndicatorResponseDto;
}

export class PublicationPageDto {
  @ApiProperty({ type: [PublicationSummaryDto], description: 'Newest first' }) items!: PublicationSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Cursor of the next page; null on the last' }) next!: string | null;
}

const VALUE = [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }, { type: 'object' }];

export class PublicationDifferenceDto {
  @ApiProperty({ example: 'indicators[sc_children].value', description: 'Where in the figures' }) path!: string;
  @ApiProperty({ nullable: true, oneOf: VALUE, description: 'The frozen value (null: none)' }) published!: number | string | boolean | null;
  @ApiProperty({ nullable: true, oneOf: VALUE, description: 'The value recomputed from the log (null: none)' }) recomputed!: number | string | boolean | null;
}

export class ReplayStatsDto {
  @ApiProperty({ description: 'Child and case events read from the log up to the publication position' }) eventsRead!: number;
  @ApiProperty({ description: 'Of those, recorded after the publication time (left out)' }) eventsAfterCut!: number;
  @ApiProperty() children!: number;
  @ApiProperty({ description: 'Delta rows of the unit rebuilt in the scratch table' }) cells!: number;
  @ApiProperty({ description: 'Seconds spent reading and folding the log' }) seconds!: number;
}

export class RecomputeDto {
  @ApiProperty({ format: 'uuid' }) publicationId!: string;
  @ApiProperty({ description: 'Every figure equal to the published one' }) equal!: boolean;
  @ApiProperty({ description: 'How many figures differ' }) differenceCount!: number;
  @ApiProperty({ type: [PublicationDifferenceDto], description: 'The first 200 differences' }) differences!: PublicationDifferenceDto[];
  @ApiProperty({ example: '1234:5678' }) logPosition!: string;
  @ApiProperty({ format: 'date-time' }) publishedAt!: string;
  @ApiProperty({ type: ReplayStatsDto }) replay!: ReplayStatsDto;
}
