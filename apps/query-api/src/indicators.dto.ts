import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DIMENSIONS, INDICATORS } from '@childledger/read-models';

// The response shapes of GET /indicators (docs/indicators.md, "The API"), for the OpenAPI document
// and the console's typed client.

export class IndicatorPeriodDto {
  @ApiProperty({ example: '2026-Q1', description: 'A year 2026, a quarter 2026-Q1 or a month 2026-01' }) label!: string;
  @ApiProperty({ format: 'date' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
}

export class IndicatorValueDto {
  @ApiProperty({ enum: INDICATORS }) indicator!: string;
  @ApiProperty({ enum: ['count', 'percent', 'days'] }) unit!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Count, percent (2 decimals) or days; null when suppressed or without a denominator' })
  value!: number | null;
  @ApiProperty({ nullable: true, type: Number }) numerator!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'For a median: the number of assessments' }) denominator!: number | null;
  @ApiProperty({ description: 'Hidden by the small-count rule (shown as "< 5")' }) suppressed!: boolean;
  @ApiProperty({ nullable: true, type: Number }) target!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'value − target' }) gap!: number | null;
  @ApiProperty({ nullable: true, type: Boolean, description: "Whether the value meets the target in the indicator's direction" }) met!: boolean | null;
}

export class ChildPopulationDto {
  @ApiProperty() value!: number;
  @ApiProperty() version!: number;
}

export class ReferenceVersionsDto {
  @ApiProperty({ nullable: true, type: Number }) target!: number | null;
  @ApiProperty({ nullable: true, type: Number }) population!: number | null;
}

export class BreakdownKeyDto {
  @ApiPropertyOptional({ description: 'by=province (unit=VN)' }) province?: string;
  @ApiPropertyOptional({ description: 'by=commune (a province)' }) commune?: string;
  @ApiPropertyOptional({ enum: ['F', 'M', 'unknown'] }) sex?: string;
  @ApiPropertyOptional({ enum: ['0-5', '6-10', '11-15', 'unknown'] }) ageBand?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 14, description: 'by=group: special-circumstance group (Law on Children Art. 10)' }) group?: number;
}

export class BreakdownRowDto {
  @ApiProperty({ type: BreakdownKeyDto }) key!: BreakdownKeyDto;
  @ApiProperty({ nullable: true, type: Number, description: 'null in group rows and when suppressed' }) childrenOnRecord!: number | null;
  @ApiProperty({ nullable: true, type: Number }) childPopulation!: number | null;
  @ApiProperty({ type: [IndicatorValueDto], description: 'Group rows hold only the indicators reported by group' }) indicators!: IndicatorValueDto[];
}

export class IndicatorResultDto {
  @ApiProperty({ example: '01', description: 'Province, commune, or VN' }) unitCode!: string;
  @ApiProperty({ type: IndicatorPeriodDto }) period!: IndicatorPeriodDto;
  @ApiProperty({ enum: ['pre_2025', 'current'] }) units!: string;
  @ApiProperty({ nullable: true, type: Number }) childrenOnRecord!: number | null;
  @ApiProperty({ nullable: true, type: ChildPopulationDto }) childPopulation!: ChildPopulationDto | null;
  @ApiProperty({ type: [IndicatorValueDto] }) indicators!: IndicatorValueDto[];
  @ApiProperty({ type: ReferenceVersionsDto }) referenceVersions!: ReferenceVersionsDto;
  @ApiPropertyOptional({ enum: DIMENSIONS, isArray: true }) by?: string[];
  @ApiPropertyOptional({ type: [BreakdownRowDto] }) breakdown?: BreakdownRowDto[];
}

export class IndicatorSeriesDto {
  @ApiProperty() unitCode!: string;
  @ApiProperty({ enum: ['pre_2025', 'current'] }) units!: string;
  @ApiProperty({ enum: ['year', 'quarter', 'month'] }) granularity!: string;
  @ApiProperty({ example: '2026-01' }) from!: string;
  @ApiProperty({ example: '2026-12' }) to!: string;
  @ApiProperty({ type: [IndicatorResultDto], description: 'One point per period, in order' }) points!: IndicatorResultDto[];
}

/** GET /indicators answers a single period, or a series with `series=`. */
export class IndicatorResponseDto extends IndicatorResultDto {
  @ApiPropertyOptional({ type: IndicatorSeriesDto, description: 'With series=: the trend (then the other fields describe its last period)' })
  series?: IndicatorSeriesDto;
}

export class IndicatorDefinitionDto {
  @ApiProperty({ enum: INDICATORS }) indicator!: string;
  @ApiProperty({ enum: ['count', 'percent', 'days'] }) unit!: string;
  @ApiProperty({ enum: ['at_least', 'at_most'], description: 'A target is a floor (at_least) or a ceiling (at_most)' }) direction!: string;
  @ApiProperty() labelVi!: string;
  @ApiProperty() labelEn!: string;
  @ApiProperty({ description: 'Reported per special-circumstance group with by=group' }) byGroup!: boolean;
}

/** What an upload of targets or child populations answers: the new version in force. */
export class ReferenceUploadDto {
  @ApiProperty({ enum: ['target', 'population'] }) kind!: string;
  @ApiProperty({ description: 'The version number this upload became (the figures in force from now on)' }) version!: number;
  @ApiProperty({ description: 'Rows stored' }) rows!: number;
}

/** One broken rule of one row of an upload (or of the file: row null). */
export class ReferenceRowProblemDto {
  @ApiProperty({ nullable: true, type: Number, description: 'The line in the file (the header is line 1); null for the file as a whole' }) row!: number | null;
  @ApiProperty({ description: 'The column at fault (unit_code, period, indicator, target, child_population) or body' }) field!: string;
  @ApiProperty({
    enum: [
      'UNIT_CODE_FORMAT',
      'UNIT_NOT_IN_FORCE',
      'OUTSIDE_JURISDICTION',
      'PERIOD_FORMAT',
      'INDICATOR_UNKNOWN',
      'NOT_A_NUMBER',
      'NEGATIVE',
      'NOT_WHOLE',
      'DUPLICATE',
      'CONTENT_TYPE',
      'UNREADABLE_FILE',
      'NO_ROWS',
      'TOO_MANY_ROWS',
      'MISSING_COLUMN',
    ],
    description: 'The rule broken: a code the console translates',
  })
  rule!: string;
  @ApiProperty({ description: 'The rule in English words' }) message!: string;
}

/** One row of a previewed upload: as read, and what storing it would do. */
export class ReferencePreviewRowDto {
  @ApiProperty({ description: 'The line in the file (the header is line 1)' }) row!: number;
  @ApiProperty({ description: 'As read from the file' }) unitCode!: string;
  @ApiProperty() period!: string;
  @ApiProperty({ description: "Targets: the indicator; populations: ''" }) indicator!: string;
  @ApiProperty({ description: 'The new value, as read from the file' }) value!: string;
  @ApiProperty({
    enum: ['added', 'changed', 'unchanged', 'invalid'],
    description: 'added: no value in force for this unit, period (and indicator); changed: current → value; invalid: see errors',
  })
  status!: 'added' | 'changed' | 'unchanged' | 'invalid';
  @ApiProperty({ nullable: true, type: Number, description: 'The value in force today (latest version holding it)' }) current!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The version the current value comes from' }) currentVersion!: number | null;
}

/** What an upload of this file would do, row by row; nothing is stored. */
export class ReferencePreviewDto {
  @ApiProperty({ enum: ['target', 'population'] }) kind!: string;
  @ApiProperty({ nullable: true, type: String }) fileName!: string | null;
  @ApiProperty({ description: 'Data rows read' }) rows!: number;
  @ApiProperty() added!: number;
  @ApiProperty() changed!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty({ description: 'Rows with at least one problem: the upload would be refused while any is left' }) invalid!: number;
  @ApiProperty({ type: [ReferencePreviewRowDto] }) items!: ReferencePreviewRowDto[];
  @ApiProperty({ type: [ReferenceRowProblemDto] }) errors!: ReferenceRowProblemDto[];
}

/** One upload: a version of the targets or of the child populations. */
export class ReferenceVersionDto {
  @ApiProperty({ enum: ['target', 'population'] }) kind!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'date-time' }) loadedAt!: string;
  @ApiProperty({ description: "The uploader's user id" }) loadedBy!: string;
  @ApiProperty({ nullable: true, type: String, description: "The uploader's name (null for versions before names were kept)" }) loadedByName!: string | null;
  @ApiProperty({ nullable: true, type: String }) fileName!: string | null;
  @ApiProperty() rowCount!: number;
  @ApiProperty({ description: 'The newest version (its values win where it has them)' }) latest!: boolean;
}

export class ReferenceVersionPageDto {
  @ApiProperty({ type: [ReferenceVersionDto], description: 'Newest first' }) items!: ReferenceVersionDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class ReferenceValueDto {
  @ApiProperty() unitCode!: string;
  @ApiProperty() period!: string;
  @ApiProperty({ description: "Targets: the indicator; populations: ''" }) indicator!: string;
  @ApiProperty() value!: number;
}

export class ReferenceVersionRowsDto {
  @ApiProperty({ type: ReferenceVersionDto }) version!: ReferenceVersionDto;
  @ApiProperty({ type: [ReferenceValueDto], description: 'In unit, period and indicator order' }) rows!: ReferenceValueDto[];
  @ApiProperty({ description: 'Rows of this version the caller may see' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
