import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One problem of a row: its number, the column and the rule, never a value from the row. */
export class ImportProblemDto {
  @ApiProperty({
    enum: ['rejected', 'warning'],
    description: 'rejected: the row was not imported; warning: imported (for INCOMPLETE_SEX and INVALID_PERSONAL_ID.*, as an incomplete record)',
  })
  kind!: 'rejected' | 'warning';
  @ApiProperty({ description: 'Row number as a spreadsheet shows it' }) row!: number;
  @ApiPropertyOptional() recordRef?: string;
  @ApiProperty({ type: String, nullable: true, description: "The format's column name" }) column!: string | null;
  @ApiPropertyOptional({ description: 'The header as the file spells it' }) header?: string;
  @ApiProperty({ example: 'CHILD_TOO_OLD' }) code!: string;
  @ApiProperty({ description: "The rule's fixed text" }) reason!: string;
  @ApiProperty({ description: 'The same rule in Vietnamese, as the rejected-rows file\'s "Lý do" column words it' }) reasonVi!: string;
}

export class ImportStartedByDto {
  @ApiProperty() userId!: string;
  @ApiProperty() role!: string;
}

export class ImportRowCountsDto {
  @ApiProperty() read!: number;
  @ApiProperty() imported!: number;
  @ApiProperty() alreadyImported!: number;
  @ApiProperty() rejected!: number;
}

/** The report of an import (ImportReport). */
export class ImportReportDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed', 'interrupted'] }) status!: 'running' | 'completed' | 'failed' | 'interrupted';
  @ApiProperty({ type: String, nullable: true }) fileName!: string | null;
  @ApiProperty({ enum: ['csv', 'xlsx'] }) format!: 'csv' | 'xlsx';
  @ApiProperty() sha256!: string;
  @ApiProperty() fileBytes!: number;
  @ApiProperty({ type: ImportStartedByDto }) startedBy!: ImportStartedByDto;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ description: '0–100, by bytes read' }) percent!: number;
  @ApiProperty({ type: ImportRowCountsDto }) rows!: ImportRowCountsDto;
  @ApiProperty() warnings!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: [ImportProblemDto] }) problems!: ImportProblemDto[];
  @ApiProperty({ description: 'More problems than `problems` lists' }) problemsTruncated!: boolean;
}
