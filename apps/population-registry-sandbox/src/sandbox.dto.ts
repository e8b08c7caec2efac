import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const PERSONAL_ID = /^\d{12}$/;

/** RFC 6749 §4.4.2; the client authenticates with HTTP Basic or with these two fields. */
export class TokenRequestDto {
  @IsString() grant_type!: string;
  @IsOptional() @IsString() @MaxLength(200) client_id?: string;
  @IsOptional() @IsString() @MaxLength(200) client_secret?: string;
  @IsOptional() @IsString() @MaxLength(200) scope?: string;
}

export class SearchResidentsDto {
  @IsOptional() @IsString() @MaxLength(100) familyName?: string;
  @IsOptional() @IsString() @MaxLength(100) givenName?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1900) @Max(2200) birthYear?: number;
  @IsOptional() @Matches(ISO_DATE, { message: 'dateOfBirth must be YYYY-MM-DD' }) dateOfBirth?: string;
  @IsOptional() @IsIn(['M', 'F']) sex?: 'M' | 'F';
  @IsOptional() @Matches(/^\d{2}$/, { message: 'provinceCode must be 2 digits' }) provinceCode?: string;
  @IsOptional() @Matches(/^\d{5}$/, { message: 'communeCode must be 5 digits' }) communeCode?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(50) limit?: number;
}

export class LookupResidentDto {
  @Matches(PERSONAL_ID, { message: 'personalId must be 12 digits' }) personalId!: string;
}

export class VerifyResidentDto {
  @Matches(PERSONAL_ID, { message: 'personalId must be 12 digits' }) personalId!: string;
  @IsOptional() @IsString() @MaxLength(200) fullName?: string;
  @IsOptional() @Matches(ISO_DATE, { message: 'dateOfBirth must be YYYY-MM-DD' }) dateOfBirth?: string;
  @IsOptional() @IsIn(['M', 'F']) sex?: 'M' | 'F';
}

// The answers, for the OpenAPI document (the national database's data-sharing interface as the sandbox plays it).

export class SandboxTokenDto {
  @ApiProperty() access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: string;
  @ApiProperty({ description: 'seconds' }) expires_in!: number;
}

/** A resident as the national database shares it (test data only in the sandbox). */
export class ResidentDto {
  @ApiProperty({ pattern: '^\\d{12}$' }) personalId!: string;
  @ApiProperty() fullName!: string;
  @ApiPropertyOptional({ enum: ['M', 'F'] }) sex?: string;
  @ApiPropertyOptional({ format: 'date' }) dateOfBirth?: string;
  @ApiPropertyOptional() birthRegistrationProvinceCode?: string;
  @ApiPropertyOptional() residenceCommuneCode?: string;
  @ApiPropertyOptional() fatherFullName?: string;
  @ApiPropertyOptional() motherFullName?: string;
  @ApiPropertyOptional() fatherPersonalId?: string;
  @ApiPropertyOptional() motherPersonalId?: string;
}

export class ResidentSearchResultDto {
  @ApiProperty({ type: [ResidentDto] }) residents!: ResidentDto[];
}

export class ResidentLookupResultDto {
  @ApiProperty({ type: ResidentDto }) resident!: ResidentDto;
}

export class ResidentVerifyResultDto {
  @ApiProperty({ description: 'Whether the stated details agree with the resident holding the personal ID' }) match!: boolean;
}
