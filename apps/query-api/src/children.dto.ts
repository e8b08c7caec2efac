import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NATIONAL_ID_STATES } from '@childledger/read-models';

/** One child found by a search: enough to tell children apart and open the right page. */
export class ChildSearchResultDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ example: 'Nguyễn Thị Mai' }) fullName!: string;
  @ApiProperty({ nullable: true, type: String, enum: ['M', 'F'] }) sex!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) dateOfBirth!: string | null;
  @ApiProperty({ nullable: true, type: String }) personalId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Commune of current residence, in force today' }) communeCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) provinceCode!: string | null;
  @ApiProperty({ enum: NATIONAL_ID_STATES }) nationalIdState!: string;
  @ApiProperty({ type: [Number], description: 'Special-circumstance groups (1–14) the child is in now' }) circumstances!: number[];
  @ApiProperty() atRisk!: boolean;
  @ApiProperty() revision!: number;
}

export class ChildSearchPageDto {
  @ApiProperty({ type: [ChildSearchResultDto] }) children!: ChildSearchResultDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `after` for the next page; null on the last' }) next!: string | null;
}

export class ChildPersonalDto {
  @ApiPropertyOptional() fullName?: string;
  @ApiPropertyOptional({ format: 'date' }) dateOfBirth?: string;
  @ApiPropertyOptional() personalId?: string;
  @ApiPropertyOptional() motherName?: string;
  @ApiPropertyOptional() fatherName?: string;
  @ApiPropertyOptional() notes?: string;
}

export class ChildResidenceDto {
  @ApiProperty({ nullable: true, type: String, description: 'The commune code as recorded' }) recordedCommuneCode!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) effectiveFrom!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'In force today' }) communeCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) provinceCode!: string | null;
  @ApiProperty({ nullable: true, type: [String] }) candidateCommunes!: string[] | null;
  @ApiProperty() ambiguous!: boolean;
}

export class ChildNationalIdDto {
  @ApiProperty({ enum: NATIONAL_ID_STATES }) state!: string;
  @ApiProperty({ nullable: true, type: String }) source!: string | null;
  @ApiProperty({ nullable: true, type: String }) linkedAt!: string | null;
}

/** A child's current record (rm_children). */
export class ChildRecordDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ enum: ['active', 'merged', 'erased'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) sex!: string | null;
  @ApiProperty({ nullable: true, type: ChildPersonalDto, description: 'null once erased' }) personal!: ChildPersonalDto | null;
  @ApiProperty() personalDataErased!: boolean;
  @ApiProperty({ type: ChildResidenceDto }) residence!: ChildResidenceDto;
  @ApiProperty({ nullable: true, type: [Number] }) circumstances!: number[] | null;
  @ApiProperty({ nullable: true, type: [Number] }) risks!: number[] | null;
  @ApiProperty() atRisk!: boolean;
  @ApiProperty({ type: ChildNationalIdDto }) nationalId!: ChildNationalIdDto;
  @ApiProperty({ nullable: true, type: String }) mergedInto!: string | null;
  @ApiPropertyOptional({
    type: [String],
    description: 'The duplicates merged into this child: their groups, risks, cases and national-ID link are shown as this child’s',
  })
  mergedFrom?: string[];
  @ApiProperty() revision!: number;
}

export class ChildAsOfDto {
  @ApiProperty({ format: 'date' }) asOf!: string;
  @ApiProperty({ enum: ['effective', 'recorded'] }) time!: string;
  @ApiProperty() eventsApplied!: number;
  @ApiProperty({ type: ChildRecordDto }) record!: ChildRecordDto;
}

export class TimelineChangeDto {
  @ApiProperty({ example: 'fullName' }) field!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Before the correction (text, or JSON for other values)' }) from!: string | null;
  @ApiProperty({ nullable: true, type: String }) to!: string | null;
}

export class TimelineEntryDto {
  @ApiProperty() eventId!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ example: 'ChildDetailsCorrected' }) type!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) effectiveDate!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorUserId!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorRole!: string | null;
  @ApiProperty({ nullable: true, type: String }) actorUnit!: string | null;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ type: [TimelineChangeDto] }) changes!: TimelineChangeDto[];
  @ApiProperty({ nullable: true, type: Number }) group!: number | null;
  @ApiProperty({ nullable: true, type: String }) communeCode!: string | null;
}

export class ChildTimelineDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ type: [TimelineEntryDto], description: 'Every event of the child’s record, oldest first' }) events!: TimelineEntryDto[];
}

export class ChildCaseSummaryDto {
  @ApiProperty() caseId!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) openedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) closedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) nextDueAt!: string | null;
}

export class ChildCasesDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ description: 'Cases not closed' }) openCaseCount!: number;
  @ApiProperty({ description: 'Whether the caller may see the cases’ content (data officers may not)' }) contentVisible!: boolean;
  @ApiProperty({ type: [ChildCaseSummaryDto], description: 'Empty when contentVisible is false' }) cases!: ChildCaseSummaryDto[];
}

export class ChildViewDto {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() userId!: string;
  @ApiProperty() role!: string;
  @ApiProperty({ type: [String], description: "The reader's communes, or provinces" }) userUnits!: string[];
  @ApiProperty({ description: 'The purpose the reader stated' }) purpose!: string;
  @ApiProperty({ example: 'child:3f2b…', description: '<resource type>:<id>' }) resource!: string;
  @ApiProperty({ example: 'current' }) view!: string;
  @ApiProperty({ nullable: true, type: String }) correlationId!: string | null;
}

/** Who read the child's record, when and why (the read audit). */
export class ChildViewsDto {
  @ApiProperty() childId!: string;
  @ApiProperty({ type: [ChildViewDto] }) views!: ChildViewDto[];
}
