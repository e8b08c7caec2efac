import { applyDecorators, BadRequestException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength, registerDecorator, ValidateIf, ValidationError, ValidationOptions } from 'class-validator';
import { isIsoDate } from '@childledger/domain';

/** One broken rule: the field (dotted path; a header name for headers), the rule, and what it means. */
export interface FieldError {
  field: string | null;
  rule: string;
  message: string;
}

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  /** The domain's error code, for rule violations. */
  code?: string;
  errors: FieldError[];
  details?: Record<string, unknown>;
}

/** A 400 whose body names each bad field and rule. */
export class RequestValidationException extends BadRequestException {
  constructor(errors: FieldError[], message = 'the request is not valid') {
    super({ statusCode: 400, error: 'Bad Request', message, errors } satisfies ErrorBody);
  }
}

/** class-validator errors, flattened to one entry per field and rule with a dotted path. */
export function flattenValidationErrors(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      out.push({ field, rule, message: rule === 'whitelistValidation' ? `${field} is not a field of this request` : message });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** For the ValidationPipe: a 400 listing every bad field with its rule. */
export function validationExceptionFactory(errors: ValidationError[]): RequestValidationException {
  return new RequestValidationException(flattenValidationErrors(errors));
}

const nfc = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.normalize('NFC').trim() : value);

/**
 * Free text: NFC (names typed on some keyboards arrive decomposed, NFD, and are stored composed),
 * trimmed, bounded. `required` also refuses the empty string; `nullable` lets `null` through (a
 * correction that removes a value).
 */
export function Text(options: { max: number; required?: boolean; nullable?: boolean; description?: string; example?: string }): PropertyDecorator {
  const doc = { description: options.description, example: options.example, maxLength: options.max, nullable: options.nullable };
  return applyDecorators(
    Transform(nfc),
    ...(options.required
      ? [ApiProperty(doc), IsString(), IsNotEmpty()]
      : [ApiPropertyOptional(doc), options.nullable ? ValidateIf((_o, v) => v !== null && v !== undefined) : IsOptional(), IsString()]),
    MaxLength(options.max),
  );
}

/** A calendar date `YYYY-MM-DD` that exists (no 30 February). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: ({ property }) => `${property} must be a calendar date YYYY-MM-DD`, ...options },
      validator: { validate: (value: unknown) => isIsoDate(value) },
    });
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An instant, ISO 8601 with a zone (`2026-03-01T08:30:00+07:00`). */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: ({ property }) => `${property} must be an ISO 8601 date-time with a zone`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(new Date(value).getTime()) && isIsoDate(value.slice(0, 10)),
      },
    });
}
