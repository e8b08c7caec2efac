import { HttpStatus } from '@nestjs/common';
import type { RegistryErrorCode } from '@childledger/domain';

/**
 * HTTP status of each domain error code: one exhaustive switch (a new code fails to compile here).
 *
 * - 400: the command's shape (what DTO validation also checks; the domain checks it again).
 * - 404: the child or case does not exist.
 * - 409: the command conflicts with the record's current state (already registered, not active,
 *   closed, merged...): sent again later, or after another command, it might succeed. Version
 *   conflicts (If-Match) are 409 too.
 * - 422: the command's content breaks a rule whatever the state (a 16-year-old, a date in the
 *   future, a personal ID that contradicts the date of birth, a commune not in force).
 */
export function statusOfRegistryError(code: RegistryErrorCode): HttpStatus {
  switch (code) {
    case 'INVALID_INPUT':
    case 'MISSING_REASON':
    case 'NAME_REQUIRED':
    case 'NAME_TOO_LONG':
    case 'INVALID_CHARACTERS':
      return HttpStatus.BAD_REQUEST;
    case 'CHILD_NOT_FOUND':
    case 'CASE_NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'NOTHING_TO_CHANGE':
    case 'DATE_IN_FUTURE':
    case 'DATE_BEFORE_BIRTH':
    case 'DATE_OUT_OF_ORDER':
    case 'CHILD_TOO_OLD':
    case 'INVALID_PERSONAL_ID':
    case 'UNKNOWN_COMMUNE':
    case 'CANNOT_MERGE_INTO_ITSELF':
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case 'CHILD_ALREADY_REGISTERED':
    case 'RECORD_MERGED':
    case 'RECORD_NOT_MERGED':
    case 'RECORD_ERASED':
    case 'CIRCUMSTANCE_ALREADY_ACTIVE':
    case 'CIRCUMSTANCE_NOT_ACTIVE':
    case 'RISK_ALREADY_ACTIVE':
    case 'RISK_NOT_ACTIVE':
    case 'NATIONAL_ID_ALREADY_LINKED':
    case 'NATIONAL_ID_NOT_LINKED':
    case 'CASE_ALREADY_OPENED':
    case 'CASE_CLOSED':
    case 'ILLEGAL_TRANSITION':
    case 'INTERVENTION_ALREADY_PLANNED':
    case 'INTERVENTION_NOT_PLANNED':
      return HttpStatus.CONFLICT;
    default: {
      const unhandled: never = code;
      throw new Error(`no HTTP status for ${String(unhandled)}`);
    }
  }
}
