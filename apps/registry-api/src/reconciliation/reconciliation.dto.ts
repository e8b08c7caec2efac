import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class ReasonBodyDto {
  /** For auditors: why. No personal data. */
  @IsString() @MinLength(3) @MaxLength(500) reason!: string;
}

export class AcceptCandidateDto extends ReasonBodyDto {
  @Matches(/^\d{12}$/, { message: 'personalId must be 12 digits' }) personalId!: string;
}

export class MergeDto extends ReasonBodyDto {
  @IsString() @MinLength(1) @MaxLength(100) duplicateChildId!: string;
  @IsString() @MinLength(1) @MaxLength(100) survivingChildId!: string;
}

export class ChildParamsDto {
  @Matches(/^[A-Za-z0-9_-]{1,100}$/, { message: 'childId must be 1–100 letters, digits, _ or -' }) childId!: string;
}
