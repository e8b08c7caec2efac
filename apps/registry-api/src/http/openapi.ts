import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiHeader, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

/** The headers every command takes. */
export function CommandHeaders(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The ETag (revision) you last saw; 409 if the record changed since' }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retries with the same key return the first result and write nothing' }),
  );
}

class WrittenEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ChildRegistered' }) type!: string;
}

/** What a command answers (CommandResponseBody), for the OpenAPI document and the console's client. */
export class CommandResultDto {
  @ApiProperty({ format: 'uuid', description: 'The child or case' }) id!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty({ description: "The stream's revision after the command: send it as If-Match next time" }) revision!: number;
  @ApiProperty({ type: [WrittenEventDto] }) events!: WrittenEventDto[];
}

/** One broken rule (FieldError). */
export class FieldErrorDto {
  @ApiProperty({ type: String, nullable: true, description: 'Dotted path of the field, a header name, or null' }) field!: string | null;
  @ApiProperty({ example: 'isNotEmpty' }) rule!: string;
  @ApiProperty() message!: string;
}

/** The body of every error response (ErrorBody). */
export class ErrorBodyDto {
  @ApiProperty() statusCode!: number;
  @ApiProperty() error!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: "The domain's error code, for rule violations" }) code?: string;
  @ApiProperty({ type: [FieldErrorDto] }) errors!: FieldErrorDto[];
}

/** The answers every command may give. */
export function CommandResponses(success: HttpStatus = HttpStatus.OK): MethodDecorator {
  const error = (status: number, description: string) => ApiResponse({ status, description, type: ErrorBodyDto });
  return applyDecorators(
    ApiResponse({ status: success, description: 'Written: `{ id, streamId, revision, events }`, with the new revision as ETag', type: CommandResultDto }),
    error(400, 'A field breaks a rule: `errors` names each field and rule'),
    error(401, 'No valid bearer token'),
    error(403, 'Role or jurisdiction does not allow it'),
    error(404, 'No such child or case'),
    error(409, "Conflicts with the record's state, or the record changed since If-Match"),
    error(413, 'Body too large'),
    error(422, 'Breaks a rule of the domain (age, dates, personal ID, commune), or an Idempotency-Key reused for another request'),
  );
}
