import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class ErasureParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class EraseChildPersonalDataDto {
  @ApiProperty({
    minLength: 10,
    maxLength: 1000,
    description:
      'The legal reason for the erasure (e.g. the decision and article it rests on). Recorded in the log for auditors: it must not contain personal data.',
  })
  @IsString()
  @MinLength(10)
  @MaxLength(1000)
  reason: string;
}

export class ErasureResponse {
  @ApiProperty() childId: string;
  @ApiProperty({ description: "Revision of the child's stream after the erasure" }) revision: number;
  @ApiProperty({ description: 'True when the record was already erased (a retry): the key destruction was completed again' }) alreadyErased: boolean;
  @ApiProperty({
    type: [String],
    description:
      'The records merged into this one (directly or through another merged record): each holds its own copy of the child’s data and is erased with it',
  })
  mergedRecordsErased: string[];
}
