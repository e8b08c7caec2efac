import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IsCalendarDate } from '../http/validation';

const LEVELS = ['province', 'commune'] as const;

export class AdminUnitsQuery {
  @ApiProperty({ format: 'date', example: '2025-07-01', description: 'The day the units are in force' })
  @IsCalendarDate()
  at!: string;

  @ApiPropertyOptional({ example: '01', description: 'A province code in force on `at`: its communes; without it, the provinces' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{2}$/, { message: 'province must be a 2-digit province code' })
  province?: string;
}

export class AdminUnitCodeParams {
  @ApiProperty({ example: '00004', description: '5-digit commune code, of either list' })
  @IsString()
  @Matches(/^\d{5}$/, { message: 'code must be a 5-digit commune code' })
  code!: string;
}

export class AdminUnitAtQuery {
  @ApiProperty({ format: 'date', example: '2025-07-01', description: 'The day the code was (or is) used' })
  @IsCalendarDate()
  at!: string;
}

/** A province or commune as a picker shows it. Reference data, not personal data. */
export class AdminUnitDto {
  @ApiProperty({ example: '00004' }) code!: string;
  @ApiProperty({ enum: LEVELS }) level!: (typeof LEVELS)[number];
  @ApiProperty({ example: 'Ba Đình' }) name!: string;
  @ApiProperty({ example: 'Phường Ba Đình', description: 'With the type prefix' }) fullName!: string;
  @ApiProperty({ example: '01' }) provinceCode!: string;
  @ApiProperty({ example: 'Thành phố Hà Nội' }) provinceName!: string;
  @ApiPropertyOptional({ example: 'Quận Ba Đình', description: 'Before 2025-07-01 only: the district of a commune' }) districtName?: string;
  @ApiProperty({ enum: ['before_2025_07_01', 'from_2025_07_01'], description: 'Which published list the unit is from' }) edition!:
    'before_2025_07_01' | 'from_2025_07_01';
  @ApiPropertyOptional({ format: 'date', description: 'Last day of validity, when the code was abolished' }) validTo?: string;
  @ApiProperty({
    type: [String],
    description: 'The code(s) of today\u2019s list this unit stands for (several when it was split); its own code for a unit of today\u2019s list',
  })
  currentCodes!: string[];
  @ApiProperty({ type: [String], description: 'For a unit of today\u2019s list: the codes of the old list that went (wholly or partly) into it' })
  formerCodes!: string[];
}

export class AdminUnitListDto {
  @ApiProperty({ format: 'date' }) at!: string;
  @ApiProperty({ enum: LEVELS, description: 'Provinces (no `province` asked) or the communes of one province' }) level!: (typeof LEVELS)[number];
  @ApiPropertyOptional({ type: AdminUnitDto, description: 'The province asked for' }) province?: AdminUnitDto;
  @ApiProperty({ type: [AdminUnitDto], description: 'Every unit in force on `at`, sorted by name (at most a province\u2019s communes: one page)' })
  units!: AdminUnitDto[];
}

export class AdminUnitLookupDto {
  @ApiProperty({ example: '00001' }) code!: string;
  @ApiProperty({ format: 'date' }) at!: string;
  @ApiProperty({ type: AdminUnitDto, nullable: true, description: 'The commune with this code in force on `at`, or null' })
  unit!: AdminUnitDto | null;
  @ApiProperty({
    type: AdminUnitDto,
    nullable: true,
    description: 'The commune of the list before 2025-07-01 with this code, when the code is read as an old one (before the reform, or no longer in force)',
  })
  oldUnit!: AdminUnitDto | null;
  @ApiProperty({ type: [AdminUnitDto], description: 'The communes of today\u2019s list the code stands for' })
  currentUnits!: AdminUnitDto[];
}
